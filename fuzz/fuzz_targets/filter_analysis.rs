//! The raw-filter analysis (seccplay_core::filter) on any bytes as a program, alone or as a
//! stack of two: never panics, stops within its bounds, and agrees with the interpreter on
//! every path's witness and on random inputs (filter::check).
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::arch::Endian;
use seccplay_core::bpf::{insn, Insn};
use seccplay_core::filter::{self, check, sym::Limits, Options};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let endian = if sel & 1 == 0 { Endian::Little } else { Endian::Big };
    let whole = rest.len() / 8 * 8;
    let Ok(prog) = insn::decode(&rest[..whole], endian) else {
        return;
    };
    // Bit 1: split the program in two filters (a stack).
    let split = if sel & 2 != 0 { prog.len() / 2 } else { 0 };
    let (a, b) = prog.split_at(split);
    let stack: Vec<&[Insn]> = if split > 0 { vec![a, b] } else { vec![b] };
    let opts = Options {
        limits: Limits { max_paths: 256, max_steps: 1 << 12 },
        total_steps: 1 << 16,
        ..Options::default()
    };
    let Ok(an) = filter::analyze(&stack, endian, &opts) else {
        return;
    };
    check::paths(&stack, &an).unwrap_or_else(|e| panic!("{e}"));
    check::inputs(&stack, &an, u64::from(sel), 64).unwrap_or_else(|e| panic!("{e}"));
    let _ = filter::decompile::decompile(&an);
});
