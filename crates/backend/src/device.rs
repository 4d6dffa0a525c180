//! Backend selection: a name on the command line to a configured burn `Device`.

use std::fmt;
use std::str::FromStr;

use burn::tensor::{Device, FloatDType};

/// A burn CPU backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Backend {
    /// burn's pure-Rust `flex` backend: the default.
    #[default]
    Flex,
    /// burn's `ndarray` backend, kept as an independent second implementation to cross-check.
    NdArray,
}

/// A backend name that is not one of ours, or a device that cannot run in `f64`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("unknown backend `{0}`; valid choices: flex, ndarray")]
    Unknown(String),
    #[error("the {0} device is already set to {1:?} floats and cannot run in f64")]
    NotF64(Backend, FloatDType),
}

impl Backend {
    /// Every backend, default first.
    pub const ALL: [Backend; 2] = [Backend::Flex, Backend::NdArray];

    /// The backend's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::NdArray => "ndarray",
        }
    }

    /// The backend's device, configured so that float tensors are `f64`.
    ///
    /// Device settings are process-wide and fixed by the first tensor created; this configures
    /// them on first use and checks them afterwards. Wrap the result with `.autodiff()` for
    /// gradients: the autodiff device shares the settings.
    pub fn device(self) -> Result<Device, BackendError> {
        let mut device = match self {
            Backend::Flex => Device::flex(),
            // burn 0.22 deprecates ndarray in favour of flex; we keep it as an independent check.
            #[allow(deprecated)]
            Backend::NdArray => Device::ndarray(),
        };
        // Fails only when already initialised, which the check below covers.
        let _ = device.configure(FloatDType::F64);
        match device.settings().float_dtype {
            FloatDType::F64 => Ok(device),
            other => Err(BackendError::NotF64(self, other)),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = BackendError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Backend::ALL.into_iter().find(|b| b.name() == s).ok_or_else(|| BackendError::Unknown(s.to_string()))
    }
}
