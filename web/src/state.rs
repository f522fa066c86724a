//! The page's whole state, and its round trip through the URL fragment
//! (JSON → deflate (miniz_oxide) → base64url), so that a link reproduces the view.
use seccplay_core::context::DOCKER_DEFAULT_CAPS;
use seccplay_core::presets::{self, PresetKind};
use serde::{Deserialize, Serialize};

/// Everything a person sets on the page. Derived values (the analysis, the verdict, the table)
/// are recomputed from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// The preset the text came from (the text is left out of links while it is unchanged).
    pub preset: String,
    /// The editor's text: a profile (JSON) or a BPF program (hex, C array, base64, ...).
    pub text: String,
    /// Strict mode (SECCOMP_MODE_STRICT) instead of a filter.
    pub strict: bool,
    /// Docker's name of the host architecture (`amd64`).
    pub host: String,
    /// The container's capabilities (`CAP_...`), sorted.
    pub caps: Vec<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// Kernel version `X.Y`.
    pub kernel: String,
    /// `runc` or `crun`.
    pub runtime: String,
    /// runc's ENOSYS stub.
    pub enosys: bool,
    /// The ABI the syscall is issued on (`x86_64`).
    pub abi: String,
    /// The syscall expression.
    pub call: String,
    /// Optional instruction pointer expression.
    pub ip: String,
    /// The active tab of the lower panel.
    pub tab: String,
    /// Compare: the second profile's preset (`""` = the current text).
    pub cmp_preset: String,
    /// Compare: capabilities added (comma-separated) in the second context.
    pub cmp_cap_add: String,
    /// Compare: capabilities dropped (comma-separated) in the second context.
    pub cmp_cap_drop: String,
    /// Compare: `--privileged` in the second context.
    pub cmp_privileged: bool,
}

impl Default for State {
    fn default() -> State {
        let mut caps: Vec<String> = DOCKER_DEFAULT_CAPS.iter().map(|s| s.to_string()).collect();
        caps.sort();
        State {
            preset: "docker".into(),
            text: preset_text("docker").unwrap_or_default(),
            strict: false,
            host: "amd64".into(),
            caps,
            privileged: false,
            kernel: "6.1".into(),
            runtime: "runc".into(),
            enosys: true,
            abi: "x86_64".into(),
            call: "unshare(CLONE_NEWUSER)".into(),
            ip: String::new(),
            tab: "table".into(),
            cmp_preset: "docker-2020".into(),
            cmp_cap_add: String::new(),
            cmp_cap_drop: String::new(),
            cmp_privileged: false,
        }
    }
}

/// The editor text of a preset (`{}` for unconfined: Docker runs such a profile without a
/// filter; strict mode has no text).
pub fn preset_text(name: &str) -> Option<String> {
    let p = presets::get(name)?;
    Some(match p.kind {
        PresetKind::Profile(t) => t.to_string(),
        PresetKind::Unconfined => "{}\n".to_string(),
        PresetKind::Strict => String::new(),
    })
}

impl State {
    /// Loads a preset into the state (text, strict flag).
    pub fn load_preset(&mut self, name: &str) {
        if let Some(p) = presets::get(name) {
            self.preset = name.to_string();
            self.strict = p.kind == PresetKind::Strict;
            self.text = preset_text(name).unwrap_or_default();
        }
    }

    /// The URL fragment (without `#`) that reproduces this state.
    pub fn to_fragment(&self) -> String {
        let mut s = self.clone();
        if !s.preset.is_empty() && preset_text(&s.preset).as_deref() == Some(s.text.as_str()) {
            s.text.clear();
        } else {
            s.preset.clear();
        }
        let json = serde_json::to_vec(&s).unwrap_or_default();
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
        format!("s={}", b64url_encode(&packed))
    }

    /// Reads a fragment made by [`State::to_fragment`] (with or without `#`).
    pub fn from_fragment(frag: &str) -> Result<State, String> {
        let frag = frag.trim_start_matches('#');
        let data = frag
            .strip_prefix("s=")
            .ok_or_else(|| "the link has no seccplay state (#s=...)".to_string())?;
        let packed = b64url_decode(data).ok_or("the link's state is not base64url")?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, 4 << 20)
            .map_err(|e| format!("the link's state does not inflate: {e:?}"))?;
        let mut s: State = serde_json::from_slice(&json)
            .map_err(|e| format!("the link's state is not valid: {e}"))?;
        if s.text.is_empty() && !s.preset.is_empty() {
            let p = s.preset.clone();
            s.load_preset(&p);
        }
        Ok(s)
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding.
pub fn b64url_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..=c.len() {
            out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (padding and the standard alphabet's `+/` accepted).
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for ch in s.bytes() {
        let v = match ch {
            b'A'..=b'Z' => ch - b'A',
            b'a'..=b'z' => ch - b'a' + 26,
            b'0'..=b'9' => ch - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for n in 0..20u8 {
            let v: Vec<u8> = (0..n)
                .map(|i| i.wrapping_mul(37).wrapping_add(250))
                .collect();
            assert_eq!(b64url_decode(&b64url_encode(&v)).unwrap(), v);
        }
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
}
