//! A small MAT v5 writer: numeric, char and logical arrays, optionally zlib-compressed, written
//! atomically. Octave, MATLAB and `scipy.io.loadmat` read what it writes; so does our reader.
//!
//! It also builds the odd fixtures the tests need (wrong classes, complex values, 3-D arrays),
//! so that no test copies an exercise file.

use std::io::Write;
use std::path::Path;

use super::scan::MatClass;
use super::{
    MI_COMPRESSED, MI_DOUBLE, MI_INT8, MI_INT16, MI_INT32, MI_INT64, MI_MATRIX, MI_SINGLE, MI_UINT8, MI_UINT16,
    MI_UINT32, MI_UINT64,
};
use crate::Matrix;

/// The values of an array, column-major, in their stored type.
#[derive(Clone, Debug, PartialEq)]
pub enum MatData {
    Double(Vec<f64>),
    Single(Vec<f32>),
    Int8(Vec<i8>),
    UInt8(Vec<u8>),
    Int16(Vec<i16>),
    UInt16(Vec<u16>),
    Int32(Vec<i32>),
    UInt32(Vec<u32>),
    Int64(Vec<i64>),
    UInt64(Vec<u64>),
    /// Characters, stored as UTF-16 code units (class `char`).
    Char(Vec<u16>),
    /// Booleans (class `uint8` with the logical flag).
    Logical(Vec<bool>),
}

impl MatData {
    fn class(&self) -> MatClass {
        match self {
            MatData::Double(_) => MatClass::Double,
            MatData::Single(_) => MatClass::Single,
            MatData::Int8(_) => MatClass::Int8,
            MatData::UInt8(_) | MatData::Logical(_) => MatClass::UInt8,
            MatData::Int16(_) => MatClass::Int16,
            MatData::UInt16(_) => MatClass::UInt16,
            MatData::Int32(_) => MatClass::Int32,
            MatData::UInt32(_) => MatClass::UInt32,
            MatData::Int64(_) => MatClass::Int64,
            MatData::UInt64(_) => MatClass::UInt64,
            MatData::Char(_) => MatClass::Char,
        }
    }

    /// The sub-element holding these values.
    fn element(&self) -> Vec<u8> {
        fn bytes<T: Copy, const N: usize>(kind: u32, values: &[T], to: fn(T) -> [u8; N]) -> Vec<u8> {
            element(kind, &values.iter().flat_map(|&v| to(v)).collect::<Vec<u8>>())
        }
        match self {
            MatData::Double(v) => bytes(MI_DOUBLE, v, f64::to_le_bytes),
            MatData::Single(v) => bytes(MI_SINGLE, v, f32::to_le_bytes),
            MatData::Int8(v) => bytes(MI_INT8, v, i8::to_le_bytes),
            MatData::UInt8(v) => element(MI_UINT8, v),
            MatData::Int16(v) => bytes(MI_INT16, v, i16::to_le_bytes),
            MatData::UInt16(v) | MatData::Char(v) => bytes(MI_UINT16, v, u16::to_le_bytes),
            MatData::Int32(v) => bytes(MI_INT32, v, i32::to_le_bytes),
            MatData::UInt32(v) => bytes(MI_UINT32, v, u32::to_le_bytes),
            MatData::Int64(v) => bytes(MI_INT64, v, i64::to_le_bytes),
            MatData::UInt64(v) => bytes(MI_UINT64, v, u64::to_le_bytes),
            MatData::Logical(v) => element(MI_UINT8, &v.iter().map(|&b| b as u8).collect::<Vec<u8>>()),
        }
    }
}

/// One named array to write.
#[derive(Clone, Debug, PartialEq)]
pub struct MatArray {
    pub name: String,
    pub dims: Vec<usize>,
    pub real: MatData,
    /// Imaginary part, for complex arrays.
    pub imag: Option<MatData>,
}

impl MatArray {
    /// An array of the given dimensions and column-major values.
    pub fn new(name: &str, dims: &[usize], real: MatData) -> Self {
        Self { name: name.to_string(), dims: dims.to_vec(), real, imag: None }
    }

    /// A `double` matrix, in MATLAB's column-major order.
    pub fn matrix(name: &str, matrix: &Matrix) -> Self {
        Self::new(name, &[matrix.rows(), matrix.cols()], MatData::Double(matrix.to_column_major()))
    }

    /// This array with an imaginary part.
    pub fn with_imag(mut self, imag: MatData) -> Self {
        self.imag = Some(imag);
        self
    }

    /// The complete `miMATRIX` element.
    pub fn element(&self) -> Vec<u8> {
        let mut flags = self.real.class().code() as u32;
        if self.imag.is_some() {
            flags |= 0x800;
        }
        if matches!(self.real, MatData::Logical(_)) {
            flags |= 0x200;
        }
        let mut body = self.real.element();
        if let Some(imag) = &self.imag {
            body.extend(imag.element());
        }
        matrix_element(flags, &self.dims, &self.name, &body)
    }
}

/// A data element: tag (type, byte count), data, zero padding to 8 bytes.
pub fn element(kind: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + data.len().div_ceil(8) * 8);
    out.extend(kind.to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    out.resize(8 + data.len().div_ceil(8) * 8, 0);
    out
}

/// An `miMATRIX` element from its array-flags word (class in the low byte, complex `0x800`,
/// logical `0x200`), dimensions, name and the data sub-elements that follow the name. Tests use
/// it directly to build arrays of classes the writer does not otherwise produce.
pub fn matrix_element(flags: u32, dims: &[usize], name: &str, body: &[u8]) -> Vec<u8> {
    let mut content = element(MI_UINT32, &[flags.to_le_bytes(), 0u32.to_le_bytes()].concat());
    content.extend(element(MI_INT32, &dims.iter().flat_map(|&d| (d as i32).to_le_bytes()).collect::<Vec<u8>>()));
    content.extend(element(MI_INT8, name.as_bytes()));
    content.extend(body);
    let mut out = Vec::with_capacity(8 + content.len());
    out.extend(MI_MATRIX.to_le_bytes());
    out.extend((content.len() as u32).to_le_bytes());
    out.extend(content);
    out
}

/// An `miCOMPRESSED` element holding `bytes` (normally one whole `miMATRIX` element) deflated
/// with zlib at the default level. The fuzzer uses it to wrap arbitrary bytes.
#[doc(hidden)]
pub fn compressed_element(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to a Vec cannot fail");
    let deflated = encoder.finish().expect("writing to a Vec cannot fail");
    let mut out = Vec::with_capacity(8 + deflated.len());
    out.extend(MI_COMPRESSED.to_le_bytes());
    out.extend((deflated.len() as u32).to_le_bytes());
    out.extend(deflated);
    out
}

/// The 128-byte MAT v5 header, little-endian.
pub fn header() -> Vec<u8> {
    let mut text = b"MATLAB 5.0 MAT-file, Platform: any, Created by: ex4 (Rust)".to_vec();
    text.resize(116, b' ');
    text.extend([0u8; 8]); // No subsystem data.
    text.extend(0x0100u16.to_le_bytes());
    text.extend(b"IM");
    text
}

/// A whole MAT v5 file holding `arrays`, each zlib-compressed when `compress` is set.
pub fn mat_bytes(arrays: &[MatArray], compress: bool) -> Vec<u8> {
    let mut out = header();
    for array in arrays {
        let element = array.element();
        if compress {
            out.extend(compressed_element(&element));
        } else {
            out.extend(element);
        }
    }
    out
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced, then renamed, so
/// that `path` holds either its old content or all of the new, never half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| std::io::Error::other("no file name"))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a MAT v5 file holding `arrays`, atomically (see [`write_atomic`]).
pub fn write_mat_file(path: &Path, arrays: &[MatArray], compress: bool) -> std::io::Result<()> {
    write_atomic(path, &mat_bytes(arrays, compress))
}
