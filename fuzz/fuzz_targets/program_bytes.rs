//! Invariants 3 and 4: any bytes as a program (raw, either byte order, or any text format the
//! importer detects) are decided by the verifier without panicking; accepted programs run to a
//! verdict within their length, the cost bound and the cache analysis agree with the
//! interpreter, and disassembly assembles back to the same program. With bits 1 and 2 of the
//! first byte set, the rest is read as a stack (`format::import_stack`: dump's output, `---`
//! separators): an error names a line of the text, and every filter read is checked as above
//! and its annotated disassembly reads back to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::{disasm, format, insn};
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
    if sel & 6 == 6 {
        let arch = if sel & 1 == 0 { Arch::X86_64 } else { Arch::S390x };
        match format::import_stack(rest, arch) {
            Ok(sections) => {
                for s in sections {
                    let inputs = derive_data(&s.insns, u64::from(sel), 4);
                    check_program(&s.insns, &inputs, arch.endian()).unwrap_or_else(|v| panic!("{v}"));
                    let t = disasm::human_text(&s.insns, Some(arch), Default::default());
                    let back = format::parse_human(&t, arch).unwrap_or_else(|e| panic!("{e}\n{t}"));
                    assert_eq!(disasm::human_text(&back, Some(arch), Default::default()), t);
                }
            }
            Err(e) => {
                let lines = rest.split(|b| *b == b'\n').count().max(1);
                assert!(e.error.line.is_some_and(|l| l >= 1 && l <= lines), "{e}");
                assert!(!e.to_string().is_empty());
            }
        }
        return;
    }
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
