#!/usr/bin/env python3
"""deps.py - the architecture checks of make check, over src/ and the
objects built from it:

  layers   a file includes only headers of its own layer or of the layers
           below it (LAYERS), so the folders show the architecture;
  cycles   no two objects depend on each other, even through a shared
           header (from the symbols each object defines and uses, nm);
  procfs   no file outside src/proc/ names a path under /proc.

Prints one TAP line per check; exits 1 if any fails."""
import os, re, subprocess, sys

# Each layer and the layers it may use (besides itself).
LAYERS = {
    "util": [],
    "proc": ["util"],
    "view": ["proc", "util"],
    "act":  ["proc", "util"],
    "chat": ["act", "view", "proc", "util"],
    "ui":   ["chat", "act", "view", "proc", "util"],
    "cmd":  ["ui", "chat", "act", "view", "proc", "util"],
    "":     ["cmd", "util"],          # src/main.c
}

def layer_of(path):
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else ""

def sources(root):
    for d, _, files in os.walk(os.path.join(root, "src")):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(d, f), root)

def check_layers(root):
    bad = []
    for path in sources(root):
        me = layer_of(path)
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                inc = m.group(1)
                other = inc.split("/")[0] if "/" in inc else ""
                if other != me and other not in LAYERS.get(me, []):
                    bad.append(f"{path}:{n}: layer '{me or 'src'}' includes {inc}")
    return bad

def check_procfs(root):
    bad = []
    for path in sources(root):
        if path.startswith("src/proc/"):
            continue
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                code = re.sub(r'/\*.*?\*/|//.*', '', line)
                # A path literal: "/proc", "/proc/%d/...", "/proc/self/...";
                # prose in help text ("/proc/PID/status") is not a path.
                if re.search(r'"/proc("|/%|/[a-z_-]+("|/))', code):
                    bad.append(f"{path}:{n}: opens /proc outside src/proc/")
    return bad

def nm_symbols(obj):
    out = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3 and l.split()[1] in "TDBRCV"}
    out = subprocess.run(["nm", "--undefined-only", obj], capture_output=True, text=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.split()}
    return defined, used

def check_cycles(root, build):
    # The object of each source there is now (not stale ones of moved files).
    # A BPF program (*.bpf.c) is loaded into the kernel, not linked.
    objs = [os.path.join(build, p[:-2] + ".o") for p in sources(root)
            if p.endswith(".c") and not p.endswith(".bpf.c")]
    missing = [o for o in objs if not os.path.exists(o)]
    if missing:
        return [f"not built: {o}" for o in missing]
    name = lambda o: os.path.relpath(o, build)[:-2]
    owner, uses = {}, {}
    for o in objs:
        defined, used = nm_symbols(o)
        for s in defined:
            owner[s] = name(o)
        uses[name(o)] = used
    graph = {a: {owner[s] for s in u if s in owner and owner[s] != a} for a, u in uses.items()}
    # Tarjan's strongly connected components, iteratively.
    index, low, on, stack, sccs, i = {}, {}, set(), [], [], 0
    for v0 in sorted(graph):
        if v0 in index:
            continue
        work = [(v0, iter(sorted(graph[v0])))]
        index[v0] = low[v0] = i; i += 1; stack.append(v0); on.add(v0)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = i; i += 1; stack.append(w); on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    sccs.append(sorted(comp))
    return ["objects that depend on each other: " + " <-> ".join(c) for c in sccs]

def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    build = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "build")
    failed = 0
    for n, (label, bad) in enumerate([
            ("every #include goes to the same layer or one below it", check_layers(root)),
            ("no two objects depend on each other", check_cycles(root, build)),
            ("no file outside src/proc/ opens /proc", check_procfs(root))], 1):
        for b in bad:
            print(f"# {b}")
        print(f"{'not ok' if bad else 'ok'} {n} - lint: {label}")
        failed += bool(bad)
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
