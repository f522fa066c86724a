//! Invariants 3 and 4: any bytes as a program (raw, either byte order, or any text format the
//! importer detects) are decided by the verifier without panicking; accepted programs run to a
//! verdict within their length, the cost bound and the cache analysis agree with the
//! interpreter, and disassembly assembles back to the same program.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::arch::Endian;
use seccplay_core::bpf::{format, insn};
use seccplay_core::invariants::{check_program, derive_data};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let endian = if sel & 1 == 0 {
        Endian::Little
    } else {
        Endian::Big
    };
    let prog = if sel & 2 == 0 {
        // Raw bytes, whole instructions only (a ragged tail is a decode error).
        let whole = rest.len() / 8 * 8;
        if rest.len() != whole {
            assert!(insn::decode(rest, endian).is_err());
        }
        match insn::decode(&rest[..whole], endian) {
            Ok(p) => p,
            Err(_) => return,
        }
    } else {
        match format::import_auto(rest, endian) {
            Ok((_, p)) => p,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                return;
            }
        }
    };
    let inputs = derive_data(&prog, u64::from(sel), 8);
    check_program(&prog, &inputs, endian).unwrap_or_else(|v| panic!("{v}"));
});
