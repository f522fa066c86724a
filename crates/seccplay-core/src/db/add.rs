//! Adding a rule to an ABI's database: the syscall's entry (numbers, pseudo numbers,
//! multiplexed calls), then libseccomp's `db_rule_add`: generate the chain, prune what it makes
//! redundant, merge it into the tree (`_db_tree_prune`, `_db_tree_add`).

use super::*;
const IST_MATCH: u32 = 0x1;
const IST_MATCH_ONCE: u32 = 0x2;
const IST_X_FINISHED: u32 = 0x10;
const IST_N_FINISHED: u32 = 0x20;
const IST_X_PREFIX: u32 = 0x100;
const IST_N_PREFIX: u32 = 0x200;
const IST_MATCHSET: u32 = IST_MATCH | IST_MATCH_ONCE;
const IST_REDUNDANT: u32 = IST_MATCH | IST_X_FINISHED | IST_N_PREFIX;

#[derive(Clone, Copy)]
struct IterState {
    flags: u32,
    action: u32,
    root: i64,
}

impl ArchDb {
    /// Adds `rule`, whose name is `sys` in libseccomp's table (`None`: unknown).
    pub(super) fn add_rule(
        &mut self,
        rule: &Rule,
        sys: Option<Syscall>,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<(), AddError> {
        let mut chain: [Option<Condition>; 6] = [None; 6];
        for c in &rule.conditions {
            if chain[c.arg as usize].is_some() {
                return Err(AddError {
                    errno: 22,
                    conflicts_with: None,
                });
            }
            chain[c.arg as usize] = Some(*c);
        }
        let resolved = sys.map_or(Resolved::Unknown, |s| s.on(self.arch));
        let name = sys.map_or("?", Syscall::name);
        let mux = self
            .arch
            .multiplexers()
            .and_then(|m| sys?.multiplexed().map(|x| (m, x)));
        if let Some((m, x)) = mux {
            // Rule A on socketcall/ipc with a0 == call (the rule's own a0 condition is lost),
            // then rule B on the direct syscall if the ABI has one.
            let (mux_nr, call, mux_name) = match x {
                Multiplexed::Socket(c) => (m.socketcall, c, "socketcall"),
                Multiplexed::Ipc(c) => (m.ipc, c, "ipc"),
            };
            let mut a_chain = chain;
            if let Some(c0) = chain[0] {
                diags.push(
                    Diagnostic::warning(
                        "multiplexer-overwrites-a0",
                        format!(
                            "on {} the rule for {} also applies to {mux_name}({call}, ...), and libseccomp replaces its condition {c0} by a0 == {call}: the argument filter is lost on that path",
                            self.arch, rule.syscall
                        ),
                    )
                    .on(self.arch)
                    .at(Some(rule.origin.location.clone())),
                );
            }
            a_chain[0] = Some(Condition {
                arg: 0,
                op: Op::Eq,
                value: call as u64,
                value_two: 0,
            });
            self.db_rule_add(&ArchRule {
                nr: mux_nr as i64,
                name: mux_name,
                action: rule.action,
                rule: rule.id,
                chain: a_chain,
            })?;
            if let Resolved::Number(nr) = resolved {
                self.db_rule_add(&ArchRule {
                    nr: nr as i64,
                    name,
                    action: rule.action,
                    rule: rule.id,
                    chain,
                })?;
            }
            return Ok(());
        }
        match resolved {
            Resolved::Number(nr) => {
                if self.arch.bits() == 32 {
                    for c in chain.iter().flatten() {
                        let trunc =
                            c.value >> 32 != 0 || (c.op == Op::MaskedEq && c.value_two >> 32 != 0);
                        if trunc {
                            diags.push(
                                Diagnostic::warning(
                                    "truncated-to-32-bits",
                                    format!(
                                        "{} is a 32-bit ABI: libseccomp compares only the low 32 bits, so {c} on {} behaves as if the value were {:#x}",
                                        self.arch, rule.syscall, c.value as u32
                                    ),
                                )
                                .on(self.arch)
                                .at(Some(rule.origin.location.clone())),
                            );
                        }
                    }
                }
                self.db_rule_add(&ArchRule {
                    nr: nr as i64,
                    name,
                    action: rule.action,
                    rule: rule.id,
                    chain,
                })
            }
            Resolved::Pseudo(pnr) if self.arch.multiplexers().is_none() => {
                if !self.absent.contains(&rule.syscall) {
                    self.absent.push(rule.syscall.clone());
                }
                self.db_rule_add(&ArchRule {
                    nr: pnr as i64,
                    name,
                    action: rule.action,
                    rule: rule.id,
                    chain,
                })
            }
            Resolved::Pseudo(_) | Resolved::Unknown => {
                if !self.absent.contains(&rule.syscall) {
                    self.absent.push(rule.syscall.clone());
                }
                Ok(())
            }
        }
    }

    pub(super) fn entry(&self, key: i64) -> Option<&SyscallRules> {
        if key >= 0 {
            self.syscalls.get(&(key as u32))
        } else {
            self.pseudo.get(&(key as i32))
        }
    }

    pub(super) fn entry_mut(&mut self, key: i64) -> Option<&mut SyscallRules> {
        if key >= 0 {
            self.syscalls.get_mut(&(key as u32))
        } else {
            self.pseudo.get_mut(&(key as i32))
        }
    }

    fn insert_entry(&mut self, key: i64, e: SyscallRules) {
        if key >= 0 {
            self.syscalls.insert(key as u32, e);
        } else {
            self.pseudo.insert(key as i32, e);
        }
    }

    fn db_rule_add(&mut self, r: &ArchRule) -> Result<(), AddError> {
        let (new_chains, new_cnt) = self.gen(r);
        let leaf = Leaf {
            action: r.action,
            rule: r.rule,
        };
        let Some(existing) = self.entry(r.nr) else {
            self.insert_entry(
                r.nr,
                SyscallRules {
                    nr: r.nr as u32,
                    name: r.name,
                    action: new_chains.is_none().then_some(leaf),
                    chains: new_chains,
                    node_cnt: new_cnt,
                },
            );
            return Ok(());
        };
        let nr = r.nr;
        if existing.chains.is_none() {
            // Unconditional already: the first unconditional rule wins; conditional ones are ignored.
            self.tree_put(new_chains);
            return Ok(());
        }
        let Some(new_root) = new_chains else {
            // New unconditional rule: discard every conditional chain.
            let old = existing.chains;
            self.tree_put(old);
            let s = self.entry_mut(nr).expect("present");
            s.chains = None;
            s.node_cnt = 0;
            s.action = Some(leaf);
            return Ok(());
        };
        let mut state = IterState {
            flags: 0,
            action: r.action,
            root: nr,
        };
        let root_node = existing.chains;
        let rc = self.prune(root_node, Some(new_root), &mut state);
        if rc > 0 {
            let s = self.entry_mut(nr).expect("present");
            s.node_cnt -= rc;
            if s.chains.is_none() {
                // Pruned everything: the new chain replaces it.
                s.chains = new_chains;
                s.action = None;
                s.node_cnt = new_cnt;
                return Ok(());
            }
        } else if state.flags & IST_REDUNDANT == IST_REDUNDANT {
            // The existing tree is shorter: the new rule is dropped.
            self.tree_put(new_chains);
            return Ok(());
        }
        let mut st = IterState {
            flags: 0,
            action: 0,
            root: nr,
        };
        let mut removed = 0;
        self.tree_add(Slot::Root(nr), new_root, &mut st, &mut removed)?;
        let freed = self.tree_put(new_chains);
        let s = self.entry_mut(nr).expect("present");
        s.node_cnt += new_cnt - removed - freed;
        Ok(())
    }

    fn prune(
        &mut self,
        existing: Option<NodeId>,
        new: Option<NodeId>,
        state: &mut IterState,
    ) -> i64 {
        let mut cnt = 0;
        let mut sn = *state;
        'ret: {
            let (Some(x0), Some(n)) = (existing, new) else {
                break 'ret;
            };
            if state.flags & IST_MATCHSET == IST_MATCH_ONCE {
                break 'ret;
            }
            let mut x = Some(self.level_start(x0));
            while let Some(xi) = x {
                let x_next = self.nodes[xi].next;
                let mut xc = Some(xi);
                'node: {
                    if Self::chain_eq(&self.nodes[xi], &self.nodes[n]) {
                        sn.flags |= IST_MATCHSET;
                        if self.nodes[n].is_leaf() {
                            sn.flags |= IST_N_FINISHED;
                        }
                        if self.nodes[xi].is_leaf() {
                            sn.flags |= IST_X_FINISHED;
                        }
                        let (xn, nn) = (&self.nodes[xi], &self.nodes[n]);
                        if (xn.act_t.is_some() || xn.nxt_t.is_some())
                            && !(nn.act_t.is_some() || nn.nxt_t.is_some())
                        {
                            break 'ret;
                        }
                        if (xn.act_f.is_some() || xn.nxt_f.is_some())
                            && !(nn.act_f.is_some() || nn.nxt_f.is_some())
                        {
                            break 'ret;
                        }
                        if sn.flags & IST_N_FINISHED != 0 && sn.flags & IST_X_FINISHED != 0 {
                            let same = |a: Option<Leaf>, b: Option<Leaf>| match (a, b) {
                                (None, None) => true,
                                (Some(a), Some(b)) => a.action == b.action,
                                _ => false,
                            };
                            if !same(nn.act_t, xn.act_t) || !same(nn.act_f, xn.act_f) {
                                break 'ret;
                            }
                            // Raw true values also compare when both flags are unset.
                            if nn.act_t.is_none() && nn.act_t_raw != xn.act_t_raw {
                                break 'ret;
                            }
                        }
                        for t in [true, false] {
                            let nsub = if t {
                                self.nodes[n].nxt_t
                            } else {
                                self.nodes[n].nxt_f
                            };
                            let Some(nsub) = nsub else { continue };
                            let cur = xc.expect("live");
                            self.get(Some(cur));
                            let mut st = *state;
                            st.flags |= IST_MATCHSET;
                            let xsub = if t {
                                self.nodes[cur].nxt_t
                            } else {
                                self.nodes[cur].nxt_f
                            };
                            cnt += self.prune(xsub, Some(nsub), &mut st);
                            cnt += self.put(&mut xc);
                            if st.flags & IST_MATCH != 0 {
                                sn.flags |= st.flags;
                            }
                            if xc.is_none() {
                                break 'node;
                            }
                        }
                        let cur = xc.expect("live");
                        let ok = self.act_check(Some(cur), sn.action).is_ok()
                            && sn.flags & IST_MATCH != 0;
                        if ok && sn.flags & IST_N_FINISHED != 0 && sn.flags & IST_X_PREFIX != 0 {
                            cnt += self.tree_remove(Slot::Root(state.root), cur);
                            if self.entry(state.root).and_then(|s| s.chains).is_none() {
                                break 'ret;
                            }
                        } else if ok
                            && sn.flags & IST_X_FINISHED != 0
                            && sn.flags & IST_N_PREFIX != 0
                        {
                            break 'ret;
                        }
                    } else if Self::chain_lt(&self.nodes[xi], &self.nodes[n]) {
                        if state.flags & IST_N_PREFIX != 0 {
                            break 'ret;
                        }
                        for t in [true, false] {
                            let cur = xc.expect("live");
                            let xsub = if t {
                                self.nodes[cur].nxt_t
                            } else {
                                self.nodes[cur].nxt_f
                            };
                            if xsub.is_none() {
                                continue;
                            }
                            self.get(Some(cur));
                            let mut st = *state;
                            st.flags &= !IST_MATCH;
                            st.flags |= IST_X_PREFIX;
                            cnt += self.prune(xsub, Some(n), &mut st);
                            cnt += self.put(&mut xc);
                            if st.flags & IST_MATCH != 0 {
                                sn.flags |= st.flags;
                                break 'ret;
                            }
                            if xc.is_none() {
                                break 'node;
                            }
                        }
                    } else {
                        if state.flags & IST_X_PREFIX != 0 {
                            break 'ret;
                        }
                        for t in [true, false] {
                            let nsub = if t {
                                self.nodes[n].nxt_t
                            } else {
                                self.nodes[n].nxt_f
                            };
                            let Some(nsub) = nsub else { continue };
                            let cur = xc.expect("live");
                            self.get(Some(cur));
                            let mut st = *state;
                            st.flags &= !IST_MATCH;
                            st.flags |= IST_N_PREFIX;
                            cnt += self.prune(Some(cur), Some(nsub), &mut st);
                            cnt += self.put(&mut xc);
                            if st.flags & IST_MATCH != 0 {
                                sn.flags |= st.flags;
                                break 'ret;
                            }
                            if xc.is_none() {
                                break 'node;
                            }
                        }
                    }
                }
                x = x_next;
            }
            sn.flags &= !IST_MATCH;
        }
        if sn.flags & IST_MATCH != 0 {
            state.flags |= sn.flags;
        } else {
            state.flags &= !IST_MATCH;
        }
        cnt
    }

    #[allow(clippy::only_used_in_recursion)]
    fn tree_add(
        &mut self,
        existing: Slot,
        new: NodeId,
        state: &mut IterState,
        removed: &mut i64,
    ) -> Result<(), AddError> {
        let Some(mut x) = self.slot(existing) else {
            return Ok(());
        };
        let n = new;
        loop {
            if Self::chain_eq(&self.nodes[x], &self.nodes[n]) {
                if let Some(nt) = self.nodes[n].act_t {
                    match self.nodes[x].act_t {
                        None => {
                            self.act_check(self.nodes[x].nxt_t, nt.action)
                                .map_err(|r| AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(r),
                                })?;
                            let mut sub = self.nodes[x].nxt_t;
                            *removed += self.put(&mut sub);
                            let xn = &mut self.nodes[x];
                            xn.nxt_t = None;
                            xn.act_t = Some(nt);
                            xn.act_t_raw = nt.action;
                        }
                        Some(xt) if xt.action != nt.action => {
                            if self.nodes[n].hi
                                && self.nodes[n].datum_full > self.nodes[x].datum_full
                            {
                                self.nodes[x].act_t = Some(nt);
                                self.nodes[x].act_t_raw = nt.action;
                            }
                            if self.nodes[x].is_leaf() || self.nodes[n].is_leaf() {
                                return Err(AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(xt.rule),
                                });
                            }
                        }
                        Some(_) => {}
                    }
                }
                if let Some(nf) = self.nodes[n].act_f {
                    match self.nodes[x].act_f {
                        None => {
                            self.act_check(self.nodes[x].nxt_f, nf.action)
                                .map_err(|r| AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(r),
                                })?;
                            let mut sub = self.nodes[x].nxt_f;
                            *removed += self.put(&mut sub);
                            let xn = &mut self.nodes[x];
                            xn.nxt_f = None;
                            xn.act_f = Some(nf);
                        }
                        Some(xf) if xf.action != nf.action => {
                            if self.nodes[n].hi
                                && self.nodes[n].datum_full < self.nodes[x].datum_full
                            {
                                // libseccomp < 2.6.1 assigns the *true* action here (a typo fixed
                                // in 2.6.1): the false action stays the first rule's.
                                let raw = self.nodes[n].act_t_raw;
                                let xn = &mut self.nodes[x];
                                xn.act_t_raw = raw;
                                if let Some(t) = xn.act_t.as_mut() {
                                    t.action = raw;
                                }
                            }
                            if self.nodes[x].is_leaf() || self.nodes[n].is_leaf() {
                                return Err(AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(xf.rule),
                                });
                            }
                        }
                        Some(_) => {}
                    }
                }
                for t in [true, false] {
                    let nsub = if t {
                        self.nodes[n].nxt_t
                    } else {
                        self.nodes[n].nxt_f
                    };
                    let Some(nsub) = nsub else { continue };
                    let (xsub, xact) = if t {
                        (self.nodes[x].nxt_t, self.nodes[x].act_t.is_some())
                    } else {
                        (self.nodes[x].nxt_f, self.nodes[x].act_f.is_some())
                    };
                    if xsub.is_some() {
                        let s = if t { Slot::T(x) } else { Slot::F(x) };
                        self.tree_add(s, nsub, state, removed)?;
                    } else if !xact {
                        let v = self.get(Some(nsub));
                        if t {
                            self.nodes[x].nxt_t = v;
                        } else {
                            self.nodes[x].nxt_f = v;
                        }
                    } else {
                        // The existing tree is shorter: done.
                        return Ok(());
                    }
                }
                return Ok(());
            } else if !Self::chain_lt(&self.nodes[x], &self.nodes[n]) {
                match self.nodes[x].next {
                    None => {
                        self.nodes[n].prev = self.get(Some(x));
                        self.nodes[x].next = self.get(Some(n));
                        return Ok(());
                    }
                    Some(nx) => x = nx,
                }
            } else {
                match self.nodes[x].prev {
                    Some(p) => {
                        self.nodes[p].next = self.get(Some(n));
                        self.nodes[n].prev = Some(p);
                        self.nodes[x].prev = self.get(Some(n));
                        self.nodes[n].next = Some(x);
                    }
                    None => {
                        self.nodes[x].prev = self.get(Some(n));
                        self.nodes[n].next = self.get(Some(x));
                    }
                }
                if self.slot(existing) == Some(x) {
                    let v = self.get(Some(n));
                    self.set_slot(existing, v);
                    let mut old = Some(x);
                    self.put(&mut old);
                }
                return Ok(());
            }
        }
    }
}
