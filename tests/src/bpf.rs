//! A tiny, test-only classic-BPF decoder and interpreter for the programs libseccomp
//! exports (`seccomp_export_bpf`): only the instructions libseccomp emits are accepted
//! (`ld [k]`, `and #k`, `jeq/jgt/jge/jset #k`, `ja`, `ret #k`).

/// One `struct sock_filter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

/// Decodes a hex string of 8-byte `sock_filter` records in the given byte order.
pub fn decode_hex(hex: &str, big_endian: bool) -> Result<Vec<Insn>, String> {
    let hex = hex.trim();
    if hex.len() % 16 != 0 {
        return Err(format!(
            "BPF hex length {} is not a multiple of 16",
            hex.len()
        ));
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| format!("bad hex: {e}")))
        .collect::<Result<Vec<u8>, String>>()?;
    Ok(bytes
        .chunks(8)
        .map(|r| {
            let (code, k) = if big_endian {
                (
                    u16::from_be_bytes([r[0], r[1]]),
                    u32::from_be_bytes([r[4], r[5], r[6], r[7]]),
                )
            } else {
                (
                    u16::from_le_bytes([r[0], r[1]]),
                    u32::from_le_bytes([r[4], r[5], r[6], r[7]]),
                )
            };
            Insn {
                code,
                jt: r[2],
                jf: r[3],
                k,
            }
        })
        .collect())
}

/// The 32-bit word at byte offset `k` of `struct seccomp_data` for the given call.
pub fn data_word(k: u32, arch: u32, nr: u32, args: &[u64; 6], big_endian: bool) -> Option<u32> {
    match k {
        0 => Some(nr),
        4 => Some(arch),
        8 | 12 => Some(0), // instruction pointer: not modelled (0)
        16..=60 if k % 4 == 0 => {
            let i = ((k - 16) / 8) as usize;
            let second = (k - 16) % 8 == 4;
            let hi = second != big_endian; // LE: second word is hi; BE: first word is hi
            Some(if hi {
                (args[i] >> 32) as u32
            } else {
                args[i] as u32
            })
        }
        _ => None,
    }
}

/// Runs `prog` on one call and returns the `ret` value.
pub fn run(
    prog: &[Insn],
    arch: u32,
    nr: u32,
    args: &[u64; 6],
    big_endian: bool,
) -> Result<u32, String> {
    let mut a: u32 = 0;
    let mut pc = 0usize;
    let mut steps = 0usize;
    loop {
        let insn = *prog
            .get(pc)
            .ok_or_else(|| format!("pc {pc} ran off the program"))?;
        steps += 1;
        if steps > 1_000_000 {
            return Err("too many steps".into());
        }
        let next = pc + 1;
        let jump = |cond: bool| {
            next + if cond {
                insn.jt as usize
            } else {
                insn.jf as usize
            }
        };
        pc = match insn.code {
            0x20 => {
                a = data_word(insn.k, arch, nr, args, big_endian)
                    .ok_or_else(|| format!("ld [{}] outside seccomp_data", insn.k))?;
                next
            }
            0x54 => {
                a &= insn.k;
                next
            }
            0x15 => jump(a == insn.k),
            0x25 => jump(a > insn.k),
            0x35 => jump(a >= insn.k),
            0x45 => jump(a & insn.k != 0),
            0x05 => next + insn.k as usize,
            0x06 => return Ok(insn.k),
            c => return Err(format!("unsupported BPF opcode {c:#06x} at {pc}")),
        };
    }
}
