//! Reading named real matrices out of a MAT v5 file, each checked for class, shape and
//! finiteness before anyone sees a number.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use matfile::NumericData;

use super::scan::{MatClass, VarHeader, dims_text, matrix_bytes, scan};
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

fn to_f64(data: &NumericData) -> Option<Vec<f64>> {
    fn real<T: Copy + Into<f64>>(real: &[T], imag: &Option<Vec<T>>) -> Option<Vec<f64>> {
        imag.is_none().then(|| real.iter().map(|&v| v.into()).collect())
    }
    match data {
        NumericData::Double { real: r, imag } => real(r, imag),
        NumericData::Single { real: r, imag } => real(r, imag),
        NumericData::Int8 { real: r, imag } => real(r, imag),
        NumericData::UInt8 { real: r, imag } => real(r, imag),
        NumericData::Int16 { real: r, imag } => real(r, imag),
        NumericData::UInt16 { real: r, imag } => real(r, imag),
        NumericData::Int32 { real: r, imag } => real(r, imag),
        NumericData::UInt32 { real: r, imag } => real(r, imag),
        // 64-bit integers above 2^53 lose precision as f64; no exercise value comes near.
        NumericData::Int64 { real: r, imag } => imag.is_none().then(|| r.iter().map(|&v| v as f64).collect()),
        NumericData::UInt64 { real: r, imag } => imag.is_none().then(|| r.iter().map(|&v| v as f64).collect()),
    }
}

/// Reads the variables `names` of the MAT v5 file `file` (whose content is `bytes`) as real
/// 2-D matrices with finite values, in the order asked.
///
/// Each problem is reported as a [`DataError`] naming the file and the variable: missing,
/// wrong class (char, cell, struct, sparse, logical, ...), complex, not 2-D, empty, or a
/// NaN/inf element. MATLAB v7.3 (HDF5) files get [`Problem::Hdf5`].
pub fn read_matrices(file: &Path, bytes: &[u8], names: &[&str]) -> Result<Vec<RealMatrix>, DataError> {
    let vars = scan(bytes).map_err(|p| DataError::file(file, p))?;
    let headers = names.iter().map(|name| check_header(file, &vars, name)).collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(names.len());
    for (name, header) in names.iter().zip(headers) {
        let err = |problem| DataError::variable(file, name, problem);
        let array = parse_one(bytes, header).map_err(err)?;
        let values = to_f64(array.data()).ok_or_else(|| err(Problem::Complex))?;
        let (rows, cols) = (header.dims[0], header.dims[1]);
        if array.size() != header.dims.as_slice() || values.len() != rows * cols {
            return Err(err(Problem::Malformed(format!(
                "declares {} but holds {} values",
                dims_text(&header.dims),
                values.len()
            ))));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(err(Problem::NonFinite { row: i % rows + 1, col: i / rows + 1, value: values[i] }));
        }
        out.push(RealMatrix { name: name.to_string(), matrix: Matrix::from_column_major(rows, cols, &values) });
    }
    Ok(out)
}

/// Decodes one variable with `matfile`, handing it a MAT file of that variable alone.
///
/// Two things happen on the way. Compressed elements are inflated here, bounded by what the
/// declared dimensions allow, so a lying header cannot make us allocate without limit. And
/// `int32` arrays are presented as `int64`: `matfile` 0.5 maps the class int32 to the data type
/// uint32 and then rejects the int32 data MATLAB writes for it (the int64 class accepts int32
/// data and the values are unchanged).
fn parse_one(bytes: &[u8], var: &VarHeader) -> Result<matfile::Array, Problem> {
    let count: usize = var.dims.iter().product();
    let limit = count.saturating_mul(8 * 2).saturating_add(4096);
    let mut element = matrix_bytes(bytes, var, limit)?;
    if var.class == MatClass::Int32 && element.len() >= 24 {
        // The array-flags word follows the element tag and the flags sub-element tag.
        let class_byte = if &bytes[126..128] == b"IM" { 16 } else { 19 };
        element[class_byte] = MatClass::Int64.code();
    }
    let mut single = bytes[..128].to_vec();
    single.extend_from_slice(&element);
    // `matfile` can panic on inputs its parser does not expect; contain it as a parse error.
    let parsed = catch_unwind(AssertUnwindSafe(|| matfile::MatFile::parse(single.as_slice())))
        .map_err(|_| Problem::Malformed("the MAT parser failed on this variable".to_string()))?
        .map_err(|e| Problem::Malformed(format!("its data cannot be decoded ({e:?})")))?;
    parsed
        .arrays()
        .iter()
        .find(|a| a.name() == var.name)
        .cloned()
        .ok_or_else(|| Problem::Malformed("present but its data could not be decoded".to_string()))
}
