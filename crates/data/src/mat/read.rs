//! Reading named real matrices out of a MAT v5 file, each checked for class, shape and
//! finiteness before anyone sees a number.

use std::io::Read;
use std::path::Path;

use super::scan::{Endian, MatClass, VarHeader, scan_with_endian, tag};
use super::{MI_DOUBLE, MI_INT8, MI_INT16, MI_INT32, MI_INT64, MI_SINGLE, MI_UINT8, MI_UINT16, MI_UINT32, MI_UINT64};
use crate::{DataError, Matrix, Problem};

/// A 2-D real matrix read from a file, with the name it had there.
#[derive(Clone, Debug, PartialEq)]
pub struct RealMatrix {
    pub name: String,
    pub matrix: Matrix,
}

fn names_list(vars: &[VarHeader]) -> String {
    if vars.is_empty() {
        return "no variables".to_string();
    }
    let names: Vec<String> = vars.iter().map(|v| format!("`{}` ({} {})", v.name, v.dims_text(), v.class)).collect();
    names.join(", ")
}

/// Checks what the scan tells of `name`: present, real numeric, 2-D, non-empty.
fn check_header<'a>(file: &Path, vars: &'a [VarHeader], name: &str) -> Result<&'a VarHeader, DataError> {
    let err = |problem| DataError::variable(file, name, problem);
    let var = vars.iter().find(|v| v.name == name).ok_or_else(|| err(Problem::Missing(names_list(vars))))?;
    if var.logical {
        return Err(err(Problem::NotNumeric("logical".to_string())));
    }
    if !var.class.is_numeric() {
        return Err(err(Problem::NotNumeric(var.class.to_string())));
    }
    if var.complex {
        return Err(err(Problem::Complex));
    }
    if var.dims.len() != 2 {
        return Err(err(Problem::NotTwoD(var.dims.len(), var.dims_text())));
    }
    if var.dims.contains(&0) {
        return Err(err(Problem::Empty(var.dims_text())));
    }
    Ok(var)
}

/// Reads the variables `names` of the MAT v5 file `file` (whose content is `bytes`) as real
/// 2-D matrices with finite values, in the order asked.
///
/// Each problem is reported as a [`DataError`] naming the file and the variable: missing,
/// wrong class (char, cell, struct, sparse, logical, ...), complex, not 2-D, empty, or a
/// NaN/inf element. MATLAB v7.3 (HDF5) files get [`Problem::Hdf5`].
pub fn read_matrices(file: &Path, bytes: &[u8], names: &[&str]) -> Result<Vec<RealMatrix>, DataError> {
    let (endian, vars) = scan_with_endian(bytes).map_err(|p| DataError::file(file, p))?;
    let headers = names.iter().map(|name| check_header(file, &vars, name)).collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(names.len());
    for (name, header) in names.iter().zip(headers) {
        let err = |problem| DataError::variable(file, name, problem);
        let matrix = decode_real_matrix(bytes, endian, header).map_err(err)?;
        out.push(RealMatrix { name: name.to_string(), matrix });
    }
    Ok(out)
}

/// Reads the char variable `name` of the MAT v5 file `file` as text (a `1xN` or `Nx1` char
/// array, such as `activation = 'tanh'`). An error names the file and the variable when it is
/// missing, not char, not a single row or column, or not text.
pub fn read_text(file: &Path, bytes: &[u8], name: &str) -> Result<String, DataError> {
    let (endian, vars) = scan_with_endian(bytes).map_err(|p| DataError::file(file, p))?;
    let err = |problem| DataError::variable(file, name, problem);
    let var = vars.iter().find(|v| v.name == name).ok_or_else(|| err(Problem::Missing(names_list(&vars))))?;
    if var.class != MatClass::Char || var.complex {
        return Err(err(Problem::Shape(format!("is {} {}; expected text", var.dims_text(), var.class))));
    }
    if var.dims.len() != 2 || var.dims.iter().filter(|&&d| d > 1).count() > 1 {
        return Err(err(Problem::Shape(format!("is {} char; expected one line of text", var.dims_text()))));
    }
    if var.dims.contains(&0) {
        return Ok(String::new());
    }
    let codes = decode_real_matrix(bytes, endian, var).map_err(err)?;
    let units: Vec<u16> = codes.as_slice().iter().map(|&c| c as u16).collect();
    String::from_utf16(&units).map_err(|_| err(Problem::Shape("is not valid text".into())))
}

/// The most a zlib stream can inflate per compressed byte (deflate's limit is 1032:1).
const MAX_INFLATE_RATIO: usize = 1032;

/// Bytes of each value of a MAT data type (`miINT8` = 1 ... `miUINT64` = 13), for the types a
/// numeric array's real part may be stored in.
fn value_size(kind: u32) -> Option<usize> {
    match kind {
        MI_INT8 | MI_UINT8 => Some(1),
        MI_INT16 | MI_UINT16 => Some(2),
        MI_INT32 | MI_UINT32 | MI_SINGLE => Some(4),
        MI_DOUBLE | MI_INT64 | MI_UINT64 => Some(8),
        _ => None,
    }
}

/// One stored value as `f64`.
fn value(kind: u32, endian: Endian, b: &[u8]) -> f64 {
    macro_rules! int {
        ($t:ty, $n:literal) => {{
            let a: [u8; $n] = b[..$n].try_into().expect("value_size bytes");
            (if endian.little { <$t>::from_le_bytes(a) } else { <$t>::from_be_bytes(a) }) as f64
        }};
    }
    match kind {
        MI_INT8 => int!(i8, 1),
        MI_UINT8 => int!(u8, 1),
        MI_INT16 => int!(i16, 2),
        MI_UINT16 => int!(u16, 2),
        MI_INT32 => int!(i32, 4),
        MI_UINT32 => int!(u32, 4),
        MI_SINGLE => int!(f32, 4),
        MI_DOUBLE => int!(f64, 8),
        // 64-bit integers above 2^53 lose precision as f64; no exercise value comes near.
        MI_INT64 => int!(i64, 8),
        _ => int!(u64, 8), // MI_UINT64, the last type `value_size` accepts.
    }
}

/// Decodes a real numeric 2-D variable, already checked by the scan, straight into a row-major
/// [`Matrix`]: the element is read as a stream (inflated as it goes when compressed), each
/// value converted to `f64` and put in its place, each checked finite. Nothing but the matrix
/// itself is allocated, and nothing larger than the element can hold: the data's declared
/// size must match the dimensions and fit in the element (for a compressed one, within what
/// its compressed bytes can inflate to).
///
/// MAT files may store a double array's values in a smaller type (MATLAB does, for integer
/// values); every numeric storage type is read.
fn decode_real_matrix(bytes: &[u8], endian: Endian, var: &VarHeader) -> Result<Matrix, Problem> {
    let (rows, cols) = (var.dims[0], var.dims[1]);
    let element = &bytes[var.span.clone()];
    let (mut stream, capacity): (Box<dyn Read + '_>, usize) = if var.compressed {
        // The miCOMPRESSED tag is 8 bytes; the deflated element follows.
        let deflated = element.get(8..).unwrap_or_default();
        (Box::new(flate2::read::ZlibDecoder::new(deflated)), deflated.len().saturating_mul(MAX_INFLATE_RATIO))
    } else {
        (Box::new(element), element.len())
    };
    // The caller names the variable (`DataError::variable`); the problem says only what is wrong.
    let malformed = |what: &str| Problem::Malformed(what.to_string());
    let read_error = |e: std::io::Error| malformed(&format!("its data cannot be read ({e})"));
    // Skip the tag, flags, dimensions and name the scan has read, then read the real part's tag.
    std::io::copy(&mut (&mut stream).take(var.data_at as u64), &mut std::io::sink()).map_err(read_error)?;
    // A tag is 8 bytes, or 4 followed by at most 4 bytes of data (the small element format):
    // either way the next 8 bytes hold it.
    let mut tag_bytes = [0u8; 8];
    stream.read_exact(&mut tag_bytes).map_err(|_| malformed("the data is missing"))?;
    let (kind, size, off) = tag(endian, &tag_bytes, 0)?;
    let mut values: Box<dyn Read + '_> = if off == 4 { Box::new(&tag_bytes[4..]) } else { stream };
    let width = value_size(kind).ok_or_else(|| malformed(&format!("its data has type {kind}, not a numeric type")))?;
    let count = rows.checked_mul(cols).filter(|&n| n.checked_mul(width) == Some(size));
    let Some(count) = count else {
        return Err(Problem::Malformed(format!(
            "declares {} but its data holds {} bytes of {width}-byte values",
            var.dims_text(),
            size
        )));
    };
    if size > capacity {
        return Err(malformed(&format!("its data claims {size} bytes, more than the file can hold")));
    }
    let mut data = vec![0.0f64; count];
    let mut buffer = vec![0u8; size.min((64 * 1024 / width) * width)];
    let mut index = 0;
    while index < count {
        let n = ((count - index) * width).min(buffer.len());
        values
            .read_exact(&mut buffer[..n])
            .map_err(|_| malformed("its data is shorter than its dimensions say (truncated file?)"))?;
        for chunk in buffer[..n].chunks_exact(width) {
            // Column-major in the file: value i is at row i % rows, column i / rows.
            let (row, col) = (index % rows, index / rows);
            let v = value(kind, endian, chunk);
            if !v.is_finite() {
                return Err(Problem::NonFinite { row: row + 1, col: col + 1, value: v });
            }
            data[row * cols + col] = v;
            index += 1;
        }
    }
    Ok(Matrix::from_row_major(rows, cols, data))
}
