//! Writing JSON: a value tree written as serde_json writes a `serde_json::Value`, for the few
//! outputs the playground shows (decompiled profiles, replay snippets). The playground's wasm
//! links no serde_json with it (about 10 KB of its gzipped size).

use super::push_quoted;

/// A JSON value to write: strings, unsigned numbers, arrays and objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Out {
    /// A string.
    Str(String),
    /// An unsigned number.
    Num(u64),
    /// An array.
    Arr(Vec<Out>),
    /// An object. Written with its keys sorted, as serde_json writes its (BTreeMap) `Map`.
    Obj(Vec<(&'static str, Out)>),
}

impl Out {
    /// An array of strings.
    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Out {
        Out::Arr(
            items
                .into_iter()
                .map(|s| Out::Str(s.as_ref().to_string()))
                .collect(),
        )
    }

    /// The value as `serde_json::to_string_pretty` writes it: two-space indentation, one
    /// member or element a line, `"key": value`, empty arrays and objects as `[]` and `{}`.
    pub fn pretty(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, 0);
        s
    }

    fn write(&self, s: &mut String, depth: usize) {
        let newline = |s: &mut String, depth: usize| {
            s.push('\n');
            for _ in 0..depth {
                s.push_str("  ");
            }
        };
        match self {
            Out::Str(v) => push_quoted(s, v),
            Out::Num(n) => s.push_str(&n.to_string()),
            Out::Arr(items) if items.is_empty() => s.push_str("[]"),
            Out::Obj(members) if members.is_empty() => s.push_str("{}"),
            Out::Arr(items) => {
                s.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    newline(s, depth + 1);
                    v.write(s, depth + 1);
                }
                newline(s, depth);
                s.push(']');
            }
            Out::Obj(members) => {
                let mut sorted: Vec<&(&str, Out)> = members.iter().collect();
                crate::sort::sort_by_key(&mut sorted, |m| m.0);
                s.push('{');
                for (i, (k, v)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    newline(s, depth + 1);
                    push_quoted(s, k);
                    s.push_str(": ");
                    v.write(s, depth + 1);
                }
                newline(s, depth);
                s.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Out;
    use serde_json::json;

    /// The same text as serde_json's pretty printer, on a value with every case: nesting,
    /// empty containers, keys out of order, escapes, numbers up to u64::MAX.
    #[test]
    fn pretty_is_serde_jsons() {
        let ours = Out::Obj(vec![
            ("syscalls", Out::Arr(vec![])),
            ("b", Out::Obj(vec![])),
            (
                "a",
                Out::Arr(vec![
                    Out::Num(u64::MAX),
                    Out::Str("q\"\\\n\u{1}é".into()),
                    Out::Obj(vec![("z", Out::Num(0)), ("names", Out::strs(["x", "y"]))]),
                ]),
            ),
        ]);
        let theirs = json!({
            "syscalls": [],
            "b": {},
            "a": [u64::MAX, "q\"\\\n\u{1}é", {"z": 0, "names": ["x", "y"]}],
        });
        assert_eq!(
            ours.pretty(),
            serde_json::to_string_pretty(&theirs).unwrap()
        );
        assert_eq!(Out::Str("x".into()).pretty(), "\"x\"");
    }
}
