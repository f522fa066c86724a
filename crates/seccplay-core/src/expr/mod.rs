//! Syscall expressions: `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)`,
//! `socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)`, `unshare(flags=CLONE_NEWUSER)`,
//! `nr=135 0x1 0 0 @ip=0x7f0000001000` — what the playground and the CLI let a user "call".
//!
//! # Grammar
//!
//! ```text
//! input   := call [ip] | raw [ip]
//! call    := NAME [ "(" [args] ")" ]
//! args    := arg { "," arg }                  positional first, then named, any order
//! arg     := expr | PARAM "=" expr            PARAM: a prototype parameter name, or a0…a5 / arg0…arg5
//! raw     := "nr" "=" EXPR { WS EXPR }        number and up to six args, whitespace separated,
//!                                             each written without spaces; the number is
//!                                             `seccomp_data.nr`, an int: -1 is 0xffffffff
//! ip      := ["@"] "ip" "=" expr
//! expr    := or;  or := and {"|" and};  and := shift {"&" shift}
//! shift   := add {("<<" | ">>") add};  add := unary {("+" | "-") unary}
//! unary   := ("~" | "-" | "+") unary | primary
//! primary := NUMBER | CONSTANT | STRING | "(" expr ")"
//! ```
//!
//! Numbers: `0x…`, `0o…`, `0b…`, decimal, and C octal (`0755`). Arithmetic wraps in 64 bits,
//! so `-1` is `0xffff_ffff_ffff_ffff` (two's complement). Constants are the names
//! [`crate::syscalls::constant`] knows (`O_RDONLY`, `CLONE_NEWUSER`, `AT_FDCWD`, `SIGCHLD`,
//! …), plus `NULL` = 0. A string literal (`"/tmp/x"`) stands for a pointer the filter cannot
//! follow: it evaluates to 0.

use crate::arch::Arch;
use crate::suggest;
use crate::syscalls::{self, Resolved};
use std::fmt;

/// A parsed syscall invocation, as a seccomp filter would see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The syscall's name; for a raw `nr=` call whose number the table does not know,
    /// `syscall_<hex nr>` (strace's spelling).
    pub name: String,
    /// `seccomp_data.nr`: the number on the ABI, base applied (mips 4000+, x32 bit 30).
    pub nr: u32,
    /// `seccomp_data.args`; arguments not written are 0.
    pub args: [u64; 6],
    /// How many argument slots were written: one more than the highest index given.
    pub given: usize,
    /// `seccomp_data.instruction_pointer`, if written.
    pub ip: Option<u64>,
}

impl fmt::Display for Call {
    /// A form [`parse_call`] reads back: `read(0, 0x1000, 16) @ip=0x401000`, or
    /// `nr=0x7fff 0x1` when the number has no name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let num = |v: u64| {
            if v < 10 {
                v.to_string()
            } else {
                format!("{v:#x}")
            }
        };
        let given = self.given.min(6);
        if self.name.starts_with("syscall_") {
            write!(f, "nr={:#x}", self.nr)?;
            for a in &self.args[..given] {
                write!(f, " {}", num(*a))?;
            }
        } else {
            write!(f, "{}(", self.name)?;
            for (i, a) in self.args[..given].iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(&num(*a))?;
            }
            f.write_str(")")?;
        }
        if let Some(ip) = self.ip {
            write!(f, " @ip={ip:#x}")?;
        }
        Ok(())
    }
}

/// A located error in a syscall expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset in the input.
    pub offset: usize,
    /// 1-based column (in characters) on the offending line.
    pub column: usize,
    /// What is wrong, and how to fix it where we can tell.
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ExprError {}

/// Parses a syscall expression for `arch` (see the module documentation for the grammar).
///
/// Errors name what is wrong and where: an unknown syscall names the ABI and suggests the
/// closest names; too many arguments, unknown parameter or constant names, bad numbers and
/// stray characters are located by byte offset and column.
pub fn parse_call(text: &str, arch: Arch) -> Result<Call, ExprError> {
    let mut p = Parser::new(text);
    p.ws();
    if p.at_end() {
        return Err(p.err(
            p.pos,
            "empty input: write a call like `read(0, 0, 0)` or `nr=0 0 0 0`",
        ));
    }
    let call = if p.peek_key("nr") {
        p.raw(arch)?
    } else {
        p.call(arch)?
    };
    p.ws();
    if !p.at_end() {
        return Err(p.err(
            p.pos,
            format!("unexpected {} after the call", p.describe_here()),
        ));
    }
    Ok(call)
}

/// `seccomp_data.nr` from the raw form's number: `seccomp_data.nr` is an `int` the filter loads
/// as a u32, so a value of 0 … 0xffffffff is taken as written and a negative one as its
/// two's complement (`-1` is 0xffffffff: the number a ptracer writes to skip a call, which the
/// kernel filters again since 4.8). `None` when neither fits.
fn nr_of(v: u64) -> Option<u32> {
    u32::try_from(v)
        .ok()
        .or_else(|| i32::try_from(v as i64).ok().map(|n| n as u32))
}

/// Evaluates one argument expression on its own (`O_WRONLY|O_CREAT`, `-1`, `1 << 12`).
pub fn eval(text: &str) -> Result<u64, ExprError> {
    let mut p = Parser::new(text);
    p.ws();
    let v = p.expr()?;
    p.ws();
    if !p.at_end() {
        return Err(p.err(p.pos, format!("unexpected {}", p.describe_here())));
    }
    Ok(v)
}

/// How deep parentheses and unary operators may nest.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Whether whitespace may appear inside an expression (false in the raw `nr=` form).
    spaces: bool,
    depth: usize,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser {
            src,
            b: src.as_bytes(),
            pos: 0,
            spaces: true,
            depth: 0,
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> ExprError {
        let offset = offset.min(self.src.len());
        let line_start = self.src[..offset].rfind('\n').map_or(0, |i| i + 1);
        ExprError {
            offset,
            column: self.src[line_start..offset].chars().count() + 1,
            message: message.into(),
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// The character at the current position, quoted, or "the end of the input".
    fn describe_here(&self) -> String {
        match self.src[self.pos..].chars().next() {
            Some(c) => format!("`{c}`"),
            None => "the end of the input".to_string(),
        }
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// Skips whitespace inside an expression, where the form allows it.
    fn ews(&mut self) {
        if self.spaces {
            self.ws();
        }
    }

    fn ident(&mut self) -> Option<(usize, &'a str)> {
        let start = self.pos;
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        while self.peek().is_some_and(is_ident) {
            self.pos += 1;
        }
        Some((start, &self.src[start..self.pos]))
    }

    /// Whether the input continues with identifier `key`, optional spaces and a single `=`.
    fn peek_key(&self, key: &str) -> bool {
        self.peek_ident_eq().is_some_and(|k| k == key)
    }

    /// The identifier at the current position if an `=` (not `==`) follows it.
    fn peek_ident_eq(&self) -> Option<&'a str> {
        let mut i = self.pos;
        if !self.b.get(i).copied().is_some_and(is_ident_start) {
            return None;
        }
        while self.b.get(i).copied().is_some_and(is_ident) {
            i += 1;
        }
        let id = &self.src[self.pos..i];
        while self.b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        (self.b.get(i) == Some(&b'=') && self.b.get(i + 1) != Some(&b'=')).then_some(id)
    }

    /// Consumes `key =` (after [`Parser::peek_key`] said it is there).
    fn eat_key(&mut self) {
        let _ = self.ident();
        self.ws();
        self.pos += 1; // '='
        self.ews();
    }

    /// `["@"] "ip" "=" expr` if present.
    fn ip(&mut self) -> Result<Option<u64>, ExprError> {
        let save = self.pos;
        if self.peek() == Some(b'@') {
            self.pos += 1;
            self.ws();
            if !self.peek_key("ip") {
                return Err(self.err(save, "expected `@ip=<address>`"));
            }
        } else if !self.peek_key("ip") {
            return Ok(None);
        }
        self.eat_key();
        Ok(Some(self.expr()?))
    }

    fn raw(&mut self, arch: Arch) -> Result<Call, ExprError> {
        self.eat_key();
        self.spaces = false;
        let at = self.pos;
        let nr = self.expr()?;
        let nr = nr_of(nr).ok_or_else(|| {
            self.err(
                at,
                format!("syscall number {nr:#x} does not fit in seccomp_data.nr (a 32-bit int: 0 … 0xffffffff, or a negative number such as -1)"),
            )
        })?;
        let mut args = [0u64; 6];
        let mut given = 0;
        let mut ip = None;
        loop {
            let before = self.pos;
            self.ws();
            if self.at_end() {
                break;
            }
            if self.pos == before {
                return Err(self.err(
                    self.pos,
                    format!(
                        "unexpected {}: separate the raw form's values with spaces, and write each without spaces",
                        self.describe_here()
                    ),
                ));
            }
            if self.peek() == Some(b'@') || self.peek_key("ip") {
                ip = self.ip()?;
                break;
            }
            if given == 6 {
                return Err(self.err(self.pos, "too many arguments: a syscall has at most 6"));
            }
            args[given] = self.expr()?;
            given += 1;
        }
        let name = syscalls::name(arch, nr)
            .map(str::to_string)
            .unwrap_or_else(|| format!("syscall_{nr:#x}"));
        Ok(Call {
            name,
            nr,
            args,
            given,
            ip,
        })
    }

    fn call(&mut self, arch: Arch) -> Result<Call, ExprError> {
        let Some((at, name)) = self.ident() else {
            return Err(self.err(
                self.pos,
                format!("expected a syscall name, found {}", self.describe_here()),
            ));
        };
        let nr = match syscalls::resolve(arch, name) {
            Resolved::Number(n) => n,
            Resolved::Pseudo(p) => {
                return Err(self.err(
                    at,
                    format!(
                        "`{name}` does not exist on {arch} (libseccomp's pseudo number {p}){}",
                        suggest::list(name, syscalls::syscalls(arch).into_iter().map(|s| s.0))
                    ),
                ))
            }
            Resolved::Unknown => {
                return Err(self.err(
                    at,
                    format!(
                        "unknown syscall `{name}` on {arch}{}",
                        suggest::list(name, syscalls::syscalls(arch).into_iter().map(|s| s.0))
                    ),
                ))
            }
        };
        let proto = syscalls::prototype(name);
        // On 64-bit ABIs the prototype tells how many argument slots a call has; on 32-bit ABIs
        // 64-bit parameters take two slots, so allow all six there.
        let limit = match proto {
            Some(p) if arch.bits() == 64 => p.args.len(),
            _ => 6,
        };
        let too_many = |p: &Self, at: usize| -> ExprError {
            match proto {
                Some(pr) if limit < 6 => p.err(
                    at,
                    format!(
                        "too many arguments: `{name}` takes {} on {arch} ({pr}); the raw form `nr={nr} …` takes any six",
                        plural(limit)
                    ),
                ),
                _ => p.err(at, "too many arguments: a syscall has at most 6"),
            }
        };
        let mut args = [0u64; 6];
        let mut written = [false; 6];
        let mut positional = 0;
        let mut named_seen = false;
        self.ws();
        if self.peek() == Some(b'(') {
            let open = self.pos;
            self.pos += 1;
            self.ws();
            if self.peek() == Some(b')') {
                self.pos += 1;
            } else {
                loop {
                    self.ws();
                    let arg_at = self.pos;
                    if let Some(key) = self.peek_ident_eq() {
                        let idx = param_index(proto, key).ok_or_else(|| {
                            let names = proto
                                .map(|p| p.args.iter().map(|a| a.name).collect::<Vec<_>>())
                                .unwrap_or_default();
                            let msg = if names.is_empty() {
                                format!(
                                    "`{name}` has no parameter `{key}`{}; use a0…a5 or positional arguments",
                                    if proto.is_none() { " (no prototype known)" } else { "" }
                                )
                            } else {
                                format!(
                                    "`{name}` has no parameter `{key}`: its parameters are {} (or a0…a5)",
                                    names.join(", ")
                                )
                            };
                            self.err(arg_at, msg)
                        })?;
                        if idx >= limit {
                            return Err(too_many(self, arg_at));
                        }
                        if written[idx] {
                            return Err(self
                                .err(arg_at, format!("argument {idx} (`{key}`) is given twice")));
                        }
                        self.eat_key();
                        args[idx] = self.expr()?;
                        written[idx] = true;
                        named_seen = true;
                    } else {
                        if named_seen {
                            return Err(self.err(
                                arg_at,
                                "positional argument after named ones: write positional arguments first",
                            ));
                        }
                        if positional >= limit {
                            return Err(too_many(self, arg_at));
                        }
                        args[positional] = self.expr()?;
                        written[positional] = true;
                        positional += 1;
                    }
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b')') => {
                            self.pos += 1;
                            break;
                        }
                        None => {
                            return Err(
                                self.err(open, "unclosed `(`: the argument list needs a `)`")
                            )
                        }
                        _ => {
                            return Err(self.err(
                                self.pos,
                                format!(
                                    "expected `,` or `)` after argument {}, found {}",
                                    arg_at_index(&written),
                                    self.describe_here()
                                ),
                            ))
                        }
                    }
                }
            }
        }
        self.ws();
        let ip = self.ip()?;
        Ok(Call {
            name: name.to_string(),
            nr,
            args,
            given: written.iter().rposition(|&w| w).map_or(0, |i| i + 1),
            ip,
        })
    }

    fn expr(&mut self) -> Result<u64, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(self.pos, "expression nested too deeply"));
        }
        let r = self.or();
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<u64, ExprError> {
        let mut v = self.and()?;
        loop {
            self.ews();
            if self.peek() == Some(b'|') && self.b.get(self.pos + 1) != Some(&b'|') {
                self.pos += 1;
                self.ews();
                v |= self.and()?;
            } else {
                return Ok(v);
            }
        }
    }

    fn and(&mut self) -> Result<u64, ExprError> {
        let mut v = self.shift()?;
        loop {
            self.ews();
            if self.peek() == Some(b'&') && self.b.get(self.pos + 1) != Some(&b'&') {
                self.pos += 1;
                self.ews();
                v &= self.shift()?;
            } else {
                return Ok(v);
            }
        }
    }

    fn shift(&mut self) -> Result<u64, ExprError> {
        let mut v = self.add()?;
        loop {
            self.ews();
            let left = match (self.peek(), self.b.get(self.pos + 1)) {
                (Some(b'<'), Some(b'<')) => true,
                (Some(b'>'), Some(b'>')) => false,
                _ => return Ok(v),
            };
            self.pos += 2;
            self.ews();
            let at = self.pos;
            let n = self.add()?;
            if n >= 64 {
                return Err(self.err(at, format!("shift by {n}: at most 63 bits")));
            }
            v = if left { v << n } else { v >> n };
        }
    }

    fn add(&mut self) -> Result<u64, ExprError> {
        let mut v = self.unary()?;
        loop {
            self.ews();
            match self.peek() {
                Some(b'+') => {
                    self.pos += 1;
                    self.ews();
                    v = v.wrapping_add(self.unary()?);
                }
                Some(b'-') => {
                    self.pos += 1;
                    self.ews();
                    v = v.wrapping_sub(self.unary()?);
                }
                _ => return Ok(v),
            }
        }
    }

    fn unary(&mut self) -> Result<u64, ExprError> {
        let op = match self.peek() {
            Some(c @ (b'~' | b'-' | b'+')) => c,
            _ => return self.primary(),
        };
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(self.pos, "expression nested too deeply"));
        }
        self.pos += 1;
        self.ews();
        let v = self.unary();
        self.depth -= 1;
        let v = v?;
        Ok(match op {
            b'~' => !v,
            b'-' => v.wrapping_neg(),
            _ => v,
        })
    }

    fn primary(&mut self) -> Result<u64, ExprError> {
        let at = self.pos;
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                self.ews();
                let v = self.expr()?;
                self.ews();
                if self.peek() != Some(b')') {
                    return Err(self.err(
                        self.pos,
                        format!(
                            "expected `)` to close the `(` at column {}, found {}",
                            self.err(at, "").column,
                            self.describe_here()
                        ),
                    ));
                }
                self.pos += 1;
                Ok(v)
            }
            Some(b'"') => {
                self.pos += 1;
                loop {
                    match self.peek() {
                        None => return Err(self.err(at, "unterminated string: add a closing `\"`")),
                        Some(b'\\') => self.pos += 2,
                        Some(b'"') => {
                            self.pos += 1;
                            return Ok(0);
                        }
                        Some(_) => self.pos += 1,
                    }
                    if self.pos > self.b.len() {
                        return Err(self.err(at, "unterminated string: add a closing `\"`"));
                    }
                }
            }
            Some(c) if c.is_ascii_digit() => self.number(),
            Some(c) if is_ident_start(c) => {
                let (_, id) = self.ident().expect("checked start");
                if id == "NULL" {
                    return Ok(0);
                }
                syscalls::constant(id).ok_or_else(|| {
                    self.err(
                        at,
                        format!(
                            "unknown constant `{id}`{}",
                            suggest::list(id, syscalls::constant_names().into_iter())
                        ),
                    )
                })
            }
            Some(c) if c.is_ascii_whitespace() && !self.spaces => Err(self.err(
                at,
                "unexpected space: in the raw `nr=` form write each value without spaces",
            )),
            _ => Err(self.err(
                at,
                format!(
                    "expected a number, constant, string or `(`, found {}",
                    self.describe_here()
                ),
            )),
        }
    }

    fn number(&mut self) -> Result<u64, ExprError> {
        let at = self.pos;
        let (radix, digits_at) = match (self.peek(), self.b.get(self.pos + 1).copied()) {
            (Some(b'0'), Some(b'x' | b'X')) => (16, self.pos + 2),
            (Some(b'0'), Some(b'o' | b'O')) => (8, self.pos + 2),
            (Some(b'0'), Some(b'b' | b'B')) => (2, self.pos + 2),
            (Some(b'0'), Some(b'0'..=b'9')) => (8, self.pos + 1),
            _ => (10, self.pos),
        };
        let mut end = digits_at;
        while self.b.get(end).copied().is_some_and(is_ident) {
            end += 1;
        }
        self.pos = end;
        let digits = &self.src[digits_at..end];
        let base_name = match radix {
            16 => "hexadecimal",
            8 => "octal",
            2 => "binary",
            _ => "decimal",
        };
        if digits.is_empty() {
            return Err(self.err(
                at,
                format!("`{}` needs {base_name} digits", &self.src[at..end]),
            ));
        }
        if let Some((i, c)) = digits.char_indices().find(|(_, c)| !c.is_digit(radix)) {
            return Err(self.err(
                digits_at + i,
                format!(
                    "`{c}` is not a {base_name} digit in `{}`",
                    &self.src[at..end]
                ),
            ));
        }
        u64::from_str_radix(digits, radix).map_err(|_| {
            self.err(
                at,
                format!("`{}` does not fit in 64 bits", &self.src[at..end]),
            )
        })
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 argument".to_string()
    } else {
        format!("{n} arguments")
    }
}

/// The index of the last written argument, for messages.
fn arg_at_index(written: &[bool; 6]) -> usize {
    written.iter().rposition(|&w| w).unwrap_or(0)
}

/// The argument index a named parameter refers to: a prototype parameter name, or
/// `a0`…`a5` / `arg0`…`arg5`.
fn param_index(proto: Option<syscalls::Prototype>, key: &str) -> Option<usize> {
    if let Some(i) = proto.and_then(|p| p.arg_index(key)) {
        return Some(i);
    }
    let n = key.strip_prefix("arg").or_else(|| key.strip_prefix('a'))?;
    match n.as_bytes() {
        [d @ b'0'..=b'5'] => Some((d - b'0') as usize),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
