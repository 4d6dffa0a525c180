//! What the trainer's integration tests share: checks of the files a run writes.

/// Decodes a PNG and checks that it is a real picture: the size expected (at least) and more
/// than one colour.
pub fn assert_picture(path: &std::path::Path, min_width: u32, min_height: u32) {
    let image = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgb8();
    assert!(image.width() >= min_width && image.height() >= min_height, "{}: {:?}", path.display(), image.dimensions());
    let first = image.get_pixel(0, 0);
    let distinct = image.pixels().filter(|p| *p != first).count();
    // A chart is mostly white: 1% of the pixels drawn is still far from blank.
    assert!(distinct > (image.width() * image.height() / 100) as usize, "{}: almost constant", path.display());
}

/// A JSON file, parsed.
pub fn json_file(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
