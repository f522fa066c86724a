//! The page's whole state, the edits the components ask for, and the state's round trip through
//! the URL fragment (JSON → deflate (miniz_oxide) → base64url), so that a link reproduces the
//! view. UI modes are enums ([`Tab`], [`Arch`], [`Runtime`]); the link writes them as the
//! strings earlier builds wrote.
//!
//! The JSON is written and read here by hand (reading with the core's located parser) rather
//! than with serde derives: the derived `Deserialize` alone cost about 6 KB of the gzipped wasm.
//! The format is the same one the derives wrote (an object of the fields below, any missing
//! field at its default), so earlier links still open.
use seccplay_core::arch::Arch;
use seccplay_core::bpf::format::{base64_decode, base64url_encode};
use seccplay_core::context::{Runtime, DOCKER_DEFAULT_CAPS};
use seccplay_core::host::Libseccomp;
use seccplay_core::json::{self, Value};
use seccplay_core::presets::{self, PresetKind};
use std::rc::Rc;
use yew::Reducible;

/// The tabs of the lower panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Every syscall of the ABI.
    Table,
    /// The program, one instruction at a time.
    Step,
    /// The program's figures and downloads.
    Program,
    /// Two profiles or contexts side by side.
    Compare,
    /// Kernel audit records read against the profile.
    Audit,
    /// A strace log read against the profile.
    Strace,
    /// One call across named hosts and presets.
    Hosts,
    /// What the page shows.
    About,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 8] = [
        Tab::Table,
        Tab::Step,
        Tab::Program,
        Tab::Compare,
        Tab::Audit,
        Tab::Strace,
        Tab::Hosts,
        Tab::About,
    ];

    /// The id in the DOM and the link (`table`, `step`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Tab::Table => "table",
            Tab::Step => "step",
            Tab::Program => "program",
            Tab::Compare => "compare",
            Tab::Audit => "audit",
            Tab::Strace => "strace",
            Tab::Hosts => "hosts",
            Tab::About => "about",
        }
    }

    /// The label of its button.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Table => "Table",
            Tab::Step => "Step through",
            Tab::Program => "Program",
            Tab::Compare => "Compare",
            Tab::Audit => "Audit records",
            Tab::Strace => "strace log",
            Tab::Hosts => "Hosts",
            Tab::About => "About",
        }
    }

    /// The tab of an id; links with an unknown one open the table.
    pub fn parse(id: &str) -> Tab {
        Tab::ALL
            .into_iter()
            .find(|t| t.id() == id)
            .unwrap_or(Tab::Table)
    }
}

/// Everything a person sets on the page. Derived values (the analysis, the verdict, the table)
/// are recomputed from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The preset the text came from (the text is left out of links while it is unchanged).
    pub preset: String,
    /// The editor's text: a profile (JSON) or a BPF program (hex, C array, base64, ...).
    pub text: String,
    /// Strict mode (SECCOMP_MODE_STRICT) instead of a filter.
    pub strict: bool,
    /// The host architecture (written as Docker's name, `amd64`).
    pub host: Arch,
    /// The container's capabilities (`CAP_...`), sorted.
    pub caps: Vec<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// The profile is given with `--security-opt seccomp=` (false for Docker's built-in
    /// default, which `--privileged` switches off).
    pub explicit: bool,
    /// Kernel version as typed: `X.Y` or `uname -r`.
    pub kernel: String,
    /// runc or crun.
    pub runtime: Runtime,
    /// runc's ENOSYS stub.
    pub enosys: bool,
    /// The libseccomp whose syscall table the runtime resolves names with (left out of links
    /// while it is the current table).
    pub libseccomp: Libseccomp,
    /// The ABI the syscall is issued on.
    pub abi: Arch,
    /// The syscall expression.
    pub call: String,
    /// Optional instruction pointer expression.
    pub ip: String,
    /// The active tab of the lower panel.
    pub tab: Tab,
    /// Compare: the second profile's preset (`""` = the current text).
    pub cmp_preset: String,
    /// Compare: capabilities added (comma-separated) in the second context.
    pub cmp_cap_add: String,
    /// Compare: capabilities dropped (comma-separated) in the second context.
    pub cmp_cap_drop: String,
    /// Compare: `--privileged` in the second context.
    pub cmp_privileged: bool,
    /// The table's filter: `all`, `allowed`, `conditional` or `blocked`.
    pub table_filter: String,
    /// The table's search text.
    pub table_search: String,
    /// Hosts: the calls (one per line or `;`-separated).
    pub mx_calls: String,
    /// Hosts: the chosen columns (named hosts, presets, `custom`).
    pub mx_columns: Vec<String>,
    /// Hosts: the two columns compared for the whole profile (`""`: the first/second chosen).
    pub mx_diff_a: String,
    /// Hosts: see `mx_diff_a`.
    pub mx_diff_b: String,
    /// Audit: the pasted records. Not in links or the saved session (large, and it names
    /// the reader's processes and paths).
    pub audit_text: String,
    /// strace: the pasted log (not in links, as `audit_text`).
    pub strace_text: String,
}

impl Default for State {
    fn default() -> State {
        let mut caps: Vec<String> = DOCKER_DEFAULT_CAPS.iter().map(|s| s.to_string()).collect();
        seccplay_core::sort::sort(&mut caps);
        State {
            preset: canonical("docker"),
            text: preset_text("docker").unwrap_or_default(),
            strict: false,
            host: Arch::X86_64,
            caps,
            privileged: false,
            explicit: false,
            kernel: "6.1".into(),
            runtime: Runtime::Runc,
            enosys: true,
            libseccomp: Libseccomp::Current,
            abi: Arch::X86_64,
            call: "unshare(CLONE_NEWUSER)".into(),
            ip: String::new(),
            tab: Tab::Table,
            cmp_preset: canonical("docker-2020"),
            cmp_cap_add: String::new(),
            cmp_cap_drop: String::new(),
            cmp_privileged: false,
            table_filter: "all".into(),
            table_search: String::new(),
            mx_calls: crate::model::hosts::DEFAULT_CALLS.into(),
            mx_columns: crate::model::hosts::default_columns(),
            mx_diff_a: String::new(),
            mx_diff_b: String::new(),
            audit_text: String::new(),
            strace_text: String::new(),
        }
    }
}

/// An edit of the context panel.
#[derive(Clone, Debug, PartialEq)]
pub enum ContextEdit {
    /// The host architecture (the ABI follows it).
    Host(Arch),
    /// The kernel version as typed.
    Kernel(String),
    /// The runtime.
    Runtime(Runtime),
    /// `--privileged`.
    Privileged(bool),
    /// The profile is given with `--security-opt seccomp=`.
    Explicit(bool),
    /// runc's ENOSYS stub.
    Enosys(bool),
    /// The libseccomp version.
    Libseccomp(Libseccomp),
    /// A capability ticked or unticked.
    Cap(&'static str, bool),
    /// Docker's default capabilities, not privileged.
    DefaultCaps,
}

/// An edit of the state, applied by the reducer to the latest state.
#[derive(Clone)]
pub struct Edit(pub Rc<dyn Fn(&mut State)>);

impl Edit {
    /// Wraps a closure.
    pub fn new(f: impl Fn(&mut State) + 'static) -> Edit {
        Edit(Rc::new(f))
    }
}

impl Reducible for State {
    type Action = Edit;
    fn reduce(self: Rc<Self>, action: Edit) -> Rc<Self> {
        let mut s = (*self).clone();
        (action.0)(&mut s);
        if s == *self {
            self
        } else {
            Rc::new(s)
        }
    }
}

/// A preset's menu name (`docker@29.4.3` for the alias `docker`).
fn canonical(name: &str) -> String {
    presets::find(name)
        .map_or(name, |i| presets::MENU[i].name)
        .to_string()
}

/// The preset `name` if this build carries its profile: every preset in the full build, only
/// Docker's current default in the first-load build (the others load the full build).
#[cfg(feature = "full")]
pub fn carried(name: &str) -> Option<&'static presets::Preset> {
    presets::get(name)
}

/// The preset `name` if this build carries its profile: every preset in the full build, only
/// Docker's current default in the first-load build (the others load the full build).
#[cfg(not(feature = "full"))]
pub fn carried(name: &str) -> Option<&'static presets::Preset> {
    first_carries(name).then_some(&presets::CURRENT_DOCKER)
}

/// True for the one preset the first-load build carries: Docker's current default (by name or
/// alias).
pub fn first_carries(name: &str) -> bool {
    presets::find(name).is_some_and(|i| presets::MENU[i].name == presets::CURRENT_DOCKER.name)
}

/// The editor text of a preset (`{}` for unconfined: Docker runs such a profile without a
/// filter; strict mode has no text); `None` for a preset this build does not carry.
pub fn preset_text(name: &str) -> Option<String> {
    let p = carried(name)?;
    Some(match p.kind {
        PresetKind::Profile(t) => t.to_string(),
        PresetKind::Unconfined => "{}\n".to_string(),
        PresetKind::Strict => String::new(),
    })
}

impl State {
    /// Loads a preset into the state (text, strict flag, and whether Docker would be given it
    /// explicitly: all but its built-in default). A preset the build does not carry leaves the
    /// text empty: the full build, which [`crate::boot::needs_full`] then loads, fills it in.
    pub fn load_preset(&mut self, name: &str) {
        if let Some(i) = presets::find(name) {
            self.preset = presets::MENU[i].name.to_string();
            self.strict = carried(name).is_some_and(|p| p.kind == PresetKind::Strict);
            self.text = preset_text(name).unwrap_or_default();
            self.explicit = !presets::is_builtin_default(name);
        }
    }

    /// Takes new editor text (typed, pasted, opened): a profile that is not a preset's text
    /// reaches Docker only through `--security-opt seccomp=`, so it counts as explicit.
    pub fn set_text(&mut self, text: String) {
        self.strict = false;
        if preset_text(&self.preset).as_deref() != Some(text.as_str()) {
            self.explicit = true;
        }
        self.text = text;
    }

    /// Applies an edit of the context.
    pub fn apply_context(&mut self, m: ContextEdit) {
        match m {
            ContextEdit::Host(a) => {
                self.host = a;
                self.abi = a;
            }
            ContextEdit::Kernel(k) => self.kernel = k,
            ContextEdit::Runtime(r) => self.runtime = r,
            ContextEdit::Privileged(v) => self.privileged = v,
            ContextEdit::Explicit(v) => self.explicit = v,
            ContextEdit::Enosys(v) => self.enosys = v,
            ContextEdit::Libseccomp(v) => self.libseccomp = v,
            ContextEdit::Cap(cap, on) => {
                self.caps.retain(|x| x != cap);
                if on {
                    self.caps.push(cap.to_string());
                    seccplay_core::sort::sort(&mut self.caps);
                }
            }
            ContextEdit::DefaultCaps => {
                self.caps = DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect();
                seccplay_core::sort::sort(&mut self.caps);
                self.privileged = false;
            }
        }
    }

    /// The URL fragment (without `#`) that reproduces this state.
    pub fn to_fragment(&self) -> String {
        let mut s = self.clone();
        // (A preset the build does not carry, with no text yet, stays a preset.)
        let unchanged = match preset_text(&s.preset) {
            Some(t) => t == s.text,
            None => s.text.is_empty() && presets::find(&s.preset).is_some(),
        };
        if !s.preset.is_empty() && unchanged {
            s.text.clear();
        } else {
            s.preset.clear();
        }
        let packed = miniz_oxide::deflate::compress_to_vec(s.to_json().as_bytes(), 9);
        format!("s={}", base64url_encode(&packed))
    }

    /// Reads a fragment made by [`State::to_fragment`] (with or without `#`).
    pub fn from_fragment(frag: &str) -> Result<State, String> {
        let frag = frag.trim_start_matches('#');
        let data = frag
            .strip_prefix("s=")
            .ok_or_else(|| "the link has no seccplay state (#s=...)".to_string())?;
        let packed = base64_decode(data).map_err(|_| "the link's state is not base64url")?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, 4 << 20)
            .map_err(|e| format!("the link's state does not inflate: {e:?}"))?;
        let mut s =
            State::from_json(&json).map_err(|e| format!("the link's state is not valid: {e}"))?;
        // Links from before the field: explicit unless the text is Docker's built-in preset.
        let has_explicit = String::from_utf8_lossy(&json).contains("\"explicit\":");
        if s.text.is_empty() && !s.preset.is_empty() {
            let p = s.preset.clone();
            let explicit = s.explicit;
            s.load_preset(&p);
            if has_explicit {
                s.explicit = explicit;
            }
        } else if !has_explicit {
            s.explicit = true;
        }
        Ok(s)
    }
}

/// The error for a link field of the wrong type (one copy of the message's formatting).
fn wrong_type(field: &str, kind: &str, found: &str) -> String {
    format!("field \"{field}\": expected {kind}, found {found}")
}

/// Declares the fields of [`State`] once, for both directions of its JSON form.
macro_rules! state_json {
    ($($field:ident: $kind:ident),* $(,)?) => {
        impl State {
            /// The state as a JSON object (every field, in declaration order).
            pub fn to_json(&self) -> String {
                let mut out = String::from("{");
                $(
                    if !state_json!(@omitted self.$field, $kind) {
                        if out.len() > 1 {
                            out.push(',');
                        }
                        json::push_quoted(&mut out, stringify!($field));
                        out.push(':');
                        state_json!(@write out, self.$field, $kind);
                    }
                )*
                out.push('}');
                out
            }

            /// Reads [`State::to_json`]'s form: missing fields keep their default, unknown
            /// ones are ignored, a field of the wrong type is an error naming it.
            pub fn from_json(bytes: &[u8]) -> Result<State, String> {
                let node = json::parse_bytes(bytes).map_err(|d| d.to_string())?;
                let Value::Object(members) = node.value else {
                    return Err(format!("expected an object, found {}", node.value.type_name()));
                };
                let mut s = State::default();
                for m in members {
                    let found = m.value.value.type_name();
                    // The kind a field of the wrong type expected (one error message for all).
                    let wrong: Option<&str> = match m.key.as_str() {
                        $(stringify!($field) => match state_json!(@read m.value.value, $kind) {
                            Some(v) => {
                                s.$field = v;
                                None
                            }
                            None => Some(stringify!($kind)),
                        },)*
                        _ => None,
                    };
                    if let Some(kind) = wrong {
                        return Err(wrong_type(&m.key, kind, found));
                    }
                }
                Ok(s)
            }
        }
    };
    // Fields left out of links while at their default (`opt`: empty); the context's
    // decision-relevant fields are always written, so a link keeps its meaning if defaults change.
    (@omitted $v:expr, calls) => { $v == crate::model::hosts::DEFAULT_CALLS };
    (@omitted $v:expr, columns) => { $v == crate::model::hosts::default_columns() };
    (@omitted $v:expr, opt) => { $v.is_empty() };
    // The table's filter, left out while it shows every row.
    (@omitted $v:expr, filter) => { $v == "all" };
    // The libseccomp table, left out while it is the current one (short default links).
    (@omitted $v:expr, libseccomp) => { $v.is_current() };
    (@omitted $v:expr, $kind:ident) => { false };
    (@write $out:ident, $v:expr, opt) => { state_json!(@write $out, $v, string) };
    (@read $v:expr, opt) => { state_json!(@read $v, string) };
    (@write $out:ident, $v:expr, filter) => { state_json!(@write $out, $v, string) };
    (@read $v:expr, filter) => { state_json!(@read $v, string) };
    (@write $out:ident, $v:expr, calls) => { state_json!(@write $out, $v, string) };
    (@write $out:ident, $v:expr, columns) => { state_json!(@write $out, $v, strings) };
    (@read $v:expr, calls) => { state_json!(@read $v, string) };
    (@read $v:expr, columns) => { state_json!(@read $v, strings) };
    (@write $out:ident, $v:expr, string) => { json::push_quoted(&mut $out, &$v) };
    (@write $out:ident, $v:expr, boolean) => { $out.push_str(if $v { "true" } else { "false" }) };
    (@write $out:ident, $v:expr, strings) => {{
        $out.push('[');
        for (i, x) in $v.iter().enumerate() {
            if i > 0 {
                $out.push(',');
            }
            json::push_quoted(&mut $out, x);
        }
        $out.push(']');
    }};
    (@write $out:ident, $v:expr, host) => {
        json::push_quoted(&mut $out, $v.docker_host_name().unwrap_or($v.name()))
    };
    (@write $out:ident, $v:expr, arch) => { json::push_quoted(&mut $out, $v.name()) };
    (@write $out:ident, $v:expr, runtime) => { json::push_quoted(&mut $out, $v.name()) };
    (@write $out:ident, $v:expr, libseccomp) => { json::push_quoted(&mut $out, $v.name()) };
    (@write $out:ident, $v:expr, tab) => { json::push_quoted(&mut $out, $v.id()) };
    (@read $v:expr, string) => { match $v { Value::String(x) => Some(x), _ => None } };
    (@read $v:expr, host) => {
        match $v { Value::String(x) => Arch::from_docker_host(&x), _ => None }
    };
    (@read $v:expr, arch) => { match $v { Value::String(x) => Arch::from_name(&x), _ => None } };
    (@read $v:expr, runtime) => { match $v { Value::String(x) => Runtime::parse(&x), _ => None } };
    (@read $v:expr, libseccomp) => {
        match $v { Value::String(x) => Libseccomp::parse(&x), _ => None }
    };
    (@read $v:expr, tab) => { match $v { Value::String(x) => Some(Tab::parse(&x)), _ => None } };
    (@read $v:expr, boolean) => { match $v { Value::Bool(x) => Some(x), _ => None } };
    (@read $v:expr, strings) => {
        match $v {
            Value::Array(xs) => xs
                .into_iter()
                .map(|x| match x.value { Value::String(x) => Some(x), _ => None })
                .collect::<Option<Vec<String>>>(),
            _ => None,
        }
    };
}

state_json! {
    preset: string, text: string, strict: boolean, host: host, caps: strings,
    privileged: boolean, explicit: boolean, kernel: string, runtime: runtime, enosys: boolean,
    libseccomp: libseccomp,
    abi: arch, call: string, ip: opt, tab: tab, cmp_preset: string, cmp_cap_add: opt,
    cmp_cap_drop: opt, cmp_privileged: boolean, table_filter: filter, table_search: opt,
    mx_calls: calls, mx_columns: columns, mx_diff_a: opt, mx_diff_b: opt,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_without_explicit_count_custom_text_as_explicit() {
        let mut s = State::default();
        assert!(!s.explicit, "Docker's built-in default");
        s.set_text("{}".into());
        assert!(s.explicit);
        s.load_preset("docker");
        assert!(!s.explicit);
        s.load_preset("podman");
        assert!(
            !s.explicit,
            "Podman's built-in default, dropped by --privileged too"
        );
        s.load_preset("example");
        assert!(
            s.explicit,
            "a profile Docker is given with --security-opt seccomp="
        );
        // An old link (no "explicit" member) with custom text.
        let old = br#"{"preset":"","text":"{}","privileged":true}"#;
        let packed = miniz_oxide::deflate::compress_to_vec(old, 9);
        let r = State::from_fragment(&format!("s={}", base64url_encode(&packed))).unwrap();
        assert!(r.explicit && r.privileged);
    }

    #[test]
    fn fragment_round_trips_and_is_short_for_presets() {
        let mut s = State {
            call: "personality(0x1234)".into(),
            ..State::default()
        };
        let f = s.to_fragment();
        assert!(f.len() < 400, "{}", f.len());
        assert_eq!(State::from_fragment(&f).unwrap(), s);
        s.text = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}".into();
        assert_eq!(
            State::from_fragment(&format!("#{}", s.to_fragment()))
                .unwrap()
                .text,
            s.text
        );
        assert!(State::from_fragment("#s=!!").is_err());
    }

    #[test]
    fn libseccomp_is_left_out_at_default_and_round_trips() {
        let d = State::default();
        assert!(!d.to_json().contains("libseccomp"), "{}", d.to_json());
        let old = State {
            libseccomp: Libseccomp::V2_5_4,
            ..State::default()
        };
        assert!(old.to_json().contains("\"libseccomp\":\"2.5.4\""));
        assert_eq!(State::from_fragment(&old.to_fragment()).unwrap(), old);
        let bad = br#"{"libseccomp":"1.0"}"#;
        assert!(State::from_json(bad).unwrap_err().contains("libseccomp"));
    }

    #[test]
    fn hosts_fields_round_trip_are_left_out_at_default_and_evidence_stays_out() {
        let d = State::default().to_json();
        assert!(!d.contains("mx_"), "{d}");
        let s = State {
            mx_calls: "clone3()".into(),
            mx_columns: vec!["custom".into(), "docker@25".into()],
            mx_diff_a: "custom".into(),
            mx_diff_b: "docker@25".into(),
            audit_text: "audit: type=1326 audit(1.2:3): pid=4".into(),
            strace_text: "getpid() = 4".into(),
            ..State::default()
        };
        let r = State::from_fragment(&s.to_fragment()).unwrap();
        assert_eq!(r.mx_calls, s.mx_calls);
        assert_eq!(r.mx_columns, s.mx_columns);
        assert_eq!(
            (r.mx_diff_a.as_str(), r.mx_diff_b.as_str()),
            ("custom", "docker@25")
        );
        // Pasted evidence is neither in the link nor in the saved session.
        assert!(r.audit_text.is_empty() && r.strace_text.is_empty());
        assert!(!s.to_json().contains("type=1326"));
        // No column at all is a choice too, not the default.
        let none = State {
            mx_columns: Vec::new(),
            ..State::default()
        };
        assert!(State::from_fragment(&none.to_fragment())
            .unwrap()
            .mx_columns
            .is_empty());
    }

    #[test]
    fn json_round_trips_every_character_and_reads_the_serde_form() {
        let s = State {
            text: "{\"a\": \"b\\\\c\"}\n\t\r\u{1}\u{1f} é ✓ \u{10348}".into(),
            caps: vec!["CAP_A".into(), "CAP_\"B".into()],
            strict: true,
            ..State::default()
        };
        assert_eq!(State::from_json(s.to_json().as_bytes()).unwrap(), s);
        // The shape serde_json's derive wrote (missing fields default, unknown ones ignored).
        let old = br#"{"preset":"","text":"{}","call":"read(0)","caps":[],"future":1}"#;
        let r = State::from_json(old).unwrap();
        assert_eq!((r.text.as_str(), r.call.as_str()), ("{}", "read(0)"));
        assert!(r.caps.is_empty());
        assert_eq!(r.host, Arch::X86_64);
        assert!(r.explicit == State::default().explicit);
        let e = State::from_json(br#"{"abi":"nope"}"#).unwrap_err();
        assert!(e.contains("\"abi\": expected arch"), "{e}");
        let e = State::from_json(br#"{"strict":"yes"}"#).unwrap_err();
        assert!(
            e.contains("\"strict\": expected boolean, found string"),
            "{e}"
        );
        assert!(State::from_json(b"[1]")
            .unwrap_err()
            .contains("expected an object"));
    }
}
