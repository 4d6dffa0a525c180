//! A structural scan of a MAT v5 file: the name, class, flags and dimensions of every
//! top-level variable, without decoding any data.
//!
//! Layout (MathWorks, "MAT-File Format", level 5): a 128-byte header (116 bytes of text,
//! 8 bytes of subsystem offset, a 2-byte version, 2 endian bytes `IM` for little-endian), then
//! data elements. Each element starts with an 8-byte tag (type, byte count), or a 4-byte
//! "small element" tag when the upper half of the first word is non-zero. A variable is an
//! `miMATRIX` element (type 14) whose first sub-elements are the array flags (class in the low
//! byte; complex `0x800`, global `0x400`, logical `0x200`), the dimensions (`miINT32`) and the
//! name (`miINT8`); or an `miCOMPRESSED` element (type 15) holding such an element deflated
//! with zlib.

use std::fmt;
use std::io::Read;

use super::{MI_COMPRESSED, MI_INT8, MI_INT32, MI_MATRIX, MI_UINT32};
use crate::Problem;

const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";
/// How many inflated bytes of a compressed variable the scan reads: enough for the flags,
/// up to hundreds of dimensions and the longest name.
const COMPRESSED_HEADER_BYTES: u64 = 4096;

/// The class of a MAT array (`mxCLASS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatClass {
    Cell,
    Struct,
    Object,
    Char,
    Sparse,
    Double,
    Single,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Function,
    Opaque,
    /// A class code this reader does not know.
    Unknown(u8),
}

impl MatClass {
    /// The class of an `mxCLASS` code.
    pub fn from_code(code: u8) -> Self {
        use MatClass::*;
        match code {
            1 => Cell,
            2 => Struct,
            3 => Object,
            4 => Char,
            5 => Sparse,
            6 => Double,
            7 => Single,
            8 => Int8,
            9 => UInt8,
            10 => Int16,
            11 => UInt16,
            12 => Int32,
            13 => UInt32,
            14 => Int64,
            15 => UInt64,
            16 => Function,
            17 => Opaque,
            other => Unknown(other),
        }
    }

    /// The `mxCLASS` code.
    pub fn code(self) -> u8 {
        use MatClass::*;
        match self {
            Cell => 1,
            Struct => 2,
            Object => 3,
            Char => 4,
            Sparse => 5,
            Double => 6,
            Single => 7,
            Int8 => 8,
            UInt8 => 9,
            Int16 => 10,
            UInt16 => 11,
            Int32 => 12,
            UInt32 => 13,
            Int64 => 14,
            UInt64 => 15,
            Function => 16,
            Opaque => 17,
            Unknown(code) => code,
        }
    }

    /// Whether arrays of this class hold plain numbers.
    pub fn is_numeric(self) -> bool {
        use MatClass::*;
        matches!(self, Double | Single | Int8 | UInt8 | Int16 | UInt16 | Int32 | UInt32 | Int64 | UInt64)
    }
}

impl fmt::Display for MatClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MatClass::*;
        let name = match self {
            Cell => "cell",
            Struct => "struct",
            Object => "object",
            Char => "char",
            Sparse => "sparse",
            Double => "double",
            Single => "single",
            Int8 => "int8",
            UInt8 => "uint8",
            Int16 => "int16",
            UInt16 => "uint16",
            Int32 => "int32",
            UInt32 => "uint32",
            Int64 => "int64",
            UInt64 => "uint64",
            Function => "function handle",
            Opaque => "opaque (object)",
            Unknown(code) => return write!(f, "unknown class {code}"),
        };
        f.write_str(name)
    }
}

/// What the scan learns of one variable.
#[derive(Clone, Debug, PartialEq)]
pub struct VarHeader {
    pub name: String,
    pub class: MatClass,
    pub dims: Vec<usize>,
    pub complex: bool,
    pub logical: bool,
    /// Where the variable's element (tag included) lies in the file.
    pub span: std::ops::Range<usize>,
    /// Whether that element is `miCOMPRESSED`.
    pub compressed: bool,
    /// Where the real part's tag starts, counted from the start of the (inflated) `miMATRIX`
    /// element: just after the flags, the dimensions and the name.
    pub data_at: usize,
}

impl VarHeader {
    /// The dimensions as MATLAB prints them: `5000x400`.
    pub fn dims_text(&self) -> String {
        self.dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x")
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Endian {
    pub(crate) little: bool,
}

impl Endian {
    fn u32(self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.little { u32::from_le_bytes(a) } else { u32::from_be_bytes(a) }
    }
}

/// Checks the 128-byte header; returns the file's byte order.
fn header(bytes: &[u8]) -> Result<Endian, Problem> {
    let is_v73_text = bytes.starts_with(b"MATLAB 7.3");
    let has_hdf5 = bytes.len() >= 520 && &bytes[512..520] == HDF5_SIGNATURE;
    if is_v73_text || has_hdf5 || bytes.starts_with(HDF5_SIGNATURE) {
        return Err(Problem::Hdf5);
    }
    if bytes.len() < 128 {
        return Err(Problem::NotMat(format!("only {} bytes, shorter than the 128-byte MAT header", bytes.len())));
    }
    let endian = match &bytes[126..128] {
        b"IM" => Endian { little: true },
        b"MI" => Endian { little: false },
        _ => {
            return Err(Problem::NotMat(if bytes.starts_with(b"MATLAB") {
                "the header has no endian indicator".to_string()
            } else {
                "no `MATLAB 5.0 MAT-file` header (a v4 file, or not a MAT file)".to_string()
            }));
        }
    };
    let version = if endian.little {
        u16::from_le_bytes([bytes[124], bytes[125]])
    } else {
        u16::from_be_bytes([bytes[124], bytes[125]])
    };
    match version {
        0x0100 => Ok(endian),
        0x0200 => Err(Problem::Hdf5),
        other => Err(Problem::NotMat(format!("unknown MAT version 0x{other:04x}"))),
    }
}

/// A data element's tag: type, byte count, and where its data starts relative to the tag.
pub(crate) fn tag(endian: Endian, bytes: &[u8], at: usize) -> Result<(u32, usize, usize), Problem> {
    if bytes.len() < at + 4 {
        return Err(Problem::Malformed(format!("truncated data element tag at byte {at}")));
    }
    let first = endian.u32(&bytes[at..]);
    if first >> 16 != 0 {
        // Small data element: type and size share the first word, data in the next four bytes.
        return Ok((first & 0xffff, (first >> 16) as usize, 4));
    }
    if bytes.len() < at + 8 {
        return Err(Problem::Malformed(format!("truncated data element tag at byte {at}")));
    }
    Ok((first, endian.u32(&bytes[at + 4..]) as usize, 8))
}

fn padded8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Reads the header of the `miMATRIX` element whose tag is at `bytes[0]`.
fn matrix_header(
    endian: Endian,
    bytes: &[u8],
    span: std::ops::Range<usize>,
    compressed: bool,
) -> Result<Option<VarHeader>, Problem> {
    let offset = span.start;
    let broken = |what: &str| Problem::Malformed(format!("variable at byte {offset}: {what}"));
    let (kind, size, data_at) = tag(endian, bytes, 0)?;
    if kind != MI_MATRIX {
        return Err(broken(&format!("expected a matrix element (type 14), found type {kind}")));
    }
    if size == 0 {
        return Ok(None); // An empty placeholder element (MATLAB writes these for empty cells).
    }
    let mut at = data_at;
    // Array flags.
    let (kind, size, off) = tag(endian, bytes, at)?;
    if kind != MI_UINT32 || size != 8 || bytes.len() < at + off + 8 {
        return Err(broken("array flags missing or malformed"));
    }
    let flags = endian.u32(&bytes[at + off..]);
    at += off + 8;
    // Dimensions.
    let (kind, size, off) = tag(endian, bytes, at)?;
    if kind != MI_INT32 || size % 4 != 0 || size < 8 || bytes.len() < at + off + size {
        return Err(broken("dimensions missing or malformed"));
    }
    let mut dims = Vec::with_capacity(size / 4);
    for i in 0..size / 4 {
        let d = endian.u32(&bytes[at + off + 4 * i..]) as i32;
        if d < 0 {
            return Err(broken(&format!("negative dimension {d}")));
        }
        dims.push(d as usize);
    }
    at += if off == 4 { 8 } else { off + padded8(size) };
    // Name.
    let (kind, size, off) = tag(endian, bytes, at)?;
    if kind != MI_INT8 || bytes.len() < at + off + size {
        return Err(broken("name missing or malformed"));
    }
    // Control characters are escaped, so that a name cannot break a message across lines; a
    // name with any is no valid MATLAB name, and never matches one we look for.
    let mut name = String::with_capacity(size);
    for c in String::from_utf8_lossy(&bytes[at + off..at + off + size]).chars() {
        if c.is_control() {
            name.extend(c.escape_default());
        } else {
            name.push(c);
        }
    }
    let data_at = at + if off == 4 { 8 } else { off + padded8(size) };
    Ok(Some(VarHeader {
        name,
        class: MatClass::from_code((flags & 0xff) as u8),
        dims,
        complex: flags & 0x800 != 0,
        logical: flags & 0x200 != 0,
        span,
        compressed,
        data_at,
    }))
}

/// The variables of a MAT v5 file, in file order.
///
/// Errors: [`Problem::Hdf5`] for a v7.3 file, [`Problem::NotMat`] for something that is not a
/// MAT v5 file, [`Problem::Malformed`] for a broken structure.
pub fn scan(bytes: &[u8]) -> Result<Vec<VarHeader>, Problem> {
    scan_with_endian(bytes).map(|(_, vars)| vars)
}

/// [`scan`], and the file's byte order from its header.
pub(crate) fn scan_with_endian(bytes: &[u8]) -> Result<(Endian, Vec<VarHeader>), Problem> {
    let endian = header(bytes)?;
    let mut vars = Vec::new();
    let mut at = 128;
    while bytes.len() >= at + 8 {
        let (kind, size, off) = tag(endian, bytes, at)?;
        let end = at.checked_add(off).and_then(|v| v.checked_add(size)).filter(|&end| end <= bytes.len()).ok_or_else(
            || {
                Problem::Malformed(format!(
                    "element at byte {at} claims {size} bytes but only {} remain (truncated file?)",
                    bytes.len().saturating_sub(at + off)
                ))
            },
        )?;
        let body = &bytes[at + off..end];
        match kind {
            MI_MATRIX => {
                if let Some(var) = matrix_header(endian, &bytes[at..end], at..end, false)? {
                    vars.push(var);
                }
                at += off + padded8(size);
            }
            MI_COMPRESSED => {
                let mut inflated = Vec::new();
                flate2::read::ZlibDecoder::new(body).take(COMPRESSED_HEADER_BYTES).read_to_end(&mut inflated).map_err(
                    |e| Problem::Malformed(format!("compressed element at byte {at} cannot be inflated: {e}")),
                )?;
                if let Some(var) = matrix_header(endian, &inflated, at..end, true)? {
                    vars.push(var);
                }
                at = end;
            }
            _ => at += off + padded8(size),
        }
    }
    Ok((endian, vars))
}
