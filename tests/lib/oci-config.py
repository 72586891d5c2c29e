#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes an OCI runtime config.json (for runc) from deploy/kubernetes/daemonset.yaml: what a
kubelet with containerd's CRI plugin would hand runc for the DaemonSet's container, as far as
the manifest decides it.

  oci-config.py --manifest daemonset.yaml --rootfs DIR --image image.json --seccomp PROFILE
                --cgroups-path /zombiecg-test.PID/runc --work DIR [--map HOST=PATH]...
                [--command JSON] [--args JSON] [--config-override TEXT]
                [--drop-volume NAME]... [--no-oom-score-adj] > config.json

From the manifest: hostPID (no PID namespace), the container's volumeMounts (hostPath: rbind
with the mountPropagation's propagation; emptyDir medium Memory: tmpfs of sizeLimit;
configMap: its files, read-only), securityContext (capabilities: drop ALL + add, in the
bounding, effective and permitted sets, none inheritable or ambient; privileged false;
allowPrivilegeEscalation false -> noNewPrivileges; readOnlyRootFilesystem; runAsUser/Group;
priorityClassName system-node-critical -> oom_score_adj -997 as the kubelet sets it;
seccompProfile RuntimeDefault -> PROFILE, in the docker/containers JSON format, filtered by
the capabilities and the architecture as the runtimes do), resources (CPU shares and quota,
memory limit), command/args (or --command/--args in their place, as a Job or `kubectl debug`
would run the same pod spec), the ConfigMap's file (--config-override's `key = value` lines
replace its keys).
From the CRI defaults (not in the manifest): /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue,
/sys read-only, masked and read-only /proc paths, /etc/hosts, /etc/hostname,
/etc/resolv.conf and /dev/termination-log bound from the pod's files, new network, IPC, UTS
and mount namespaces, the devices cgroup denying all but the default devices.
--map HOST=PATH binds PATH where the manifest names host path HOST (a test's own state dir
instead of the host's /var/lib/zombiecg). Prints notes on stderr.
"""
import argparse
import json
import os
import platform
import sys

import yaml

CRI_MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
              "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
              "/sys/firmware", "/sys/devices/virtual/powercap"]
CRI_READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
PROPAGATION = {None: "rprivate", "None": "rprivate", "HostToContainer": "rslave",
               "Bidirectional": "rshared"}
ARCH = {"x86_64": ("amd64", "SCMP_ARCH_X86_64")}


def quantity(q):
    """Kubernetes quantity -> bytes (memory) or millicores (cpu, when it ends in m)."""
    q = str(q)
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "K": 1000, "M": 1000 ** 2, "G": 1000 ** 3}
    for u, m in units.items():
        if q.endswith(u):
            return int(float(q[:-len(u)]) * m)
    return int(q)


def millicores(q):
    q = str(q)
    return int(q[:-1]) if q.endswith("m") else int(float(q) * 1000)


def kernel_version():
    parts = platform.release().split("-")[0].split(".")
    return tuple(int(p) for p in parts[:2])


def seccomp(profile_path, caps):
    """docker/containers seccomp JSON -> OCI linux.seccomp, as moby's and containers/common's
    loaders do: entries whose includes (caps, arches, minKernel) hold and excludes do not."""
    p = json.load(open(profile_path))
    goarch, scmp = ARCH[platform.machine()]
    arches = []
    for a in p.get("archMap") or []:
        if a["architecture"] == scmp:
            arches = [a["architecture"]] + a.get("subArchitectures", [])
    out = {"defaultAction": p["defaultAction"], "architectures": arches, "syscalls": []}
    if "defaultErrnoRet" in p:
        out["defaultErrnoRet"] = p["defaultErrnoRet"]
    for e in p["syscalls"]:
        inc, exc = e.get("includes") or {}, e.get("excludes") or {}
        if inc.get("arches") and goarch not in inc["arches"]:
            continue
        if inc.get("caps") and not all(c in caps for c in inc["caps"]):
            continue
        if inc.get("minKernel"):
            want = tuple(int(x) for x in inc["minKernel"].split(".")[:2])
            if kernel_version() < want:
                continue
        if exc.get("arches") and goarch in exc["arches"]:
            continue
        if exc.get("caps") and any(c in caps for c in exc["caps"]):
            continue
        names = e.get("names") or ([e["name"]] if e.get("name") else [])
        s = {"names": names, "action": e["action"]}
        if e.get("args"):
            s["args"] = [{k: a[k] for k in ("index", "value", "valueTwo", "op") if k in a}
                         for a in e["args"]]
        if "errnoRet" in e:
            s["errnoRet"] = e["errnoRet"]
        out["syscalls"].append(s)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--seccomp", required=True)
    ap.add_argument("--cgroups-path", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--map", action="append", default=[])
    ap.add_argument("--args")
    ap.add_argument("--command")
    ap.add_argument("--config-override", default="")
    ap.add_argument("--no-oom-score-adj", action="store_true",
                    help="leave oom_score_adj alone (a host without CAP_SYS_RESOURCE cannot lower it)")
    ap.add_argument("--drop-volume", action="append", default=[],
                    help="leave out the container's volumeMount of this volume")
    o = ap.parse_args()
    maps = dict(m.split("=", 1) for m in o.map)

    docs = {d["kind"]: d for d in yaml.safe_load_all(open(o.manifest)) if d}
    pod = docs["DaemonSet"]["spec"]["template"]["spec"]
    c = pod["containers"][0]
    sc = c.get("securityContext") or {}
    image = json.load(open(o.image))
    if sc.get("privileged"):
        sys.exit("privileged containers are not what this builds")

    caps = sc.get("capabilities") or {}
    if caps.get("drop") != ["ALL"]:
        sys.exit("expects capabilities.drop [ALL]")
    capset = sorted("CAP_" + x for x in caps.get("add") or [])

    args = json.loads(o.args) if o.args else c.get("args", image["cmd"] or [])
    command = json.loads(o.command) if o.command else c.get("command", image["entrypoint"] or [])
    argv = command + args

    work = os.path.abspath(o.work)
    os.makedirs(work, exist_ok=True)
    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
        # the pod sandbox's /dev/shm (64 MiB, containerd's default)
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    ]
    # kubelet's per-pod files
    pod_files = {"/etc/hosts": "127.0.0.1\tlocalhost\n", "/etc/hostname": "zombiecg-pod\n",
                 "/etc/resolv.conf": "", "/dev/termination-log": ""}
    for dest, text in pod_files.items():
        src = os.path.join(work, "pod" + dest.replace("/", "_"))
        open(src, "w").write(text)
        mounts.append({"destination": dest, "type": "bind", "source": src,
                       "options": ["rbind", "rprivate", "rw"]})

    vols = {v["name"]: v for v in pod.get("volumes") or []}
    for vm in c.get("volumeMounts") or []:
        if vm["name"] in o.drop_volume:
            continue
        v = vols[vm["name"]]
        ro = bool(vm.get("readOnly"))
        if "hostPath" in v:
            src = maps.get(v["hostPath"]["path"], v["hostPath"]["path"])
            if v["hostPath"].get("type") == "DirectoryOrCreate":
                os.makedirs(src, exist_ok=True)
            prop = PROPAGATION[vm.get("mountPropagation")]
            mounts.append({"destination": vm["mountPath"], "type": "bind", "source": src,
                           "options": ["rbind", prop, "ro" if ro else "rw"]})
        elif "emptyDir" in v:
            ed = v["emptyDir"]
            if ed.get("medium") != "Memory":
                src = os.path.join(work, "emptydir-" + vm["name"])
                os.makedirs(src, exist_ok=True)
                mounts.append({"destination": vm["mountPath"], "type": "bind", "source": src,
                               "options": ["rbind", "rprivate", "ro" if ro else "rw"]})
            else:
                opts = ["nosuid", "nodev", "mode=755"]
                if ed.get("sizeLimit"):
                    opts.append("size=%d" % quantity(ed["sizeLimit"]))
                mounts.append({"destination": vm["mountPath"], "type": "tmpfs", "source": "tmpfs",
                               "options": opts + (["ro"] if ro else [])})
        elif "configMap" in v:
            cm = docs["ConfigMap"]
            assert cm["metadata"]["name"] == v["configMap"]["name"]
            src = os.path.join(work, "configmap-" + vm["name"])
            os.makedirs(src, exist_ok=True)
            for k, text in cm["data"].items():
                if k == "zombiecg.conf" and o.config_override:
                    # `key = value` lines replace the ConfigMap's (a key may be set once)
                    over = [l for l in o.config_override.splitlines() if "=" in l]
                    keys = {l.split("=")[0].strip() for l in over}
                    text = "".join(l for l in text.splitlines(True)
                                   if l.split("=")[0].strip() not in keys) + "\n".join(over) + "\n"
                open(os.path.join(src, k), "w").write(text)
            mounts.append({"destination": vm["mountPath"], "type": "bind", "source": src,
                           "options": ["rbind", "rprivate", "ro"]})
        else:
            sys.exit("volume %s: unsupported kind" % vm["name"])

    namespaces = [{"type": t} for t in ("ipc", "uts", "mount", "network")]
    if not pod.get("hostPID"):
        namespaces.append({"type": "pid"})

    res = c.get("resources") or {}
    lim, req = res.get("limits") or {}, res.get("requests") or {}
    resources = {"devices": [{"allow": False, "access": "rwm"}]}
    if "cpu" in req:
        resources["cpu"] = {"shares": max(2, millicores(req["cpu"]) * 1024 // 1000)}
    if "cpu" in lim:
        resources.setdefault("cpu", {}).update(quota=millicores(lim["cpu"]) * 100, period=100000)
    if "memory" in lim:
        resources["memory"] = {"limit": quantity(lim["memory"])}

    seccomp_profile = None
    sp = (sc.get("seccompProfile") or {}).get("type")
    if sp == "RuntimeDefault":
        seccomp_profile = seccomp(o.seccomp, capset)
    elif sp not in (None, "Unconfined"):
        sys.exit("seccompProfile %s: unsupported" % sp)

    env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOSTNAME=zombiecg-pod"] + image.get("env", [])
    env += ["%s=%s" % (e["name"], e["value"]) for e in c.get("env") or []]
    config = {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": sc.get("runAsUser", 0), "gid": sc.get("runAsGroup", 0)},
            "args": argv,
            "env": env,
            "cwd": image.get("workdir") or "/",
            "capabilities": {"bounding": capset, "effective": capset, "permitted": capset,
                             "inheritable": [], "ambient": []},
            "noNewPrivileges": sc.get("allowPrivilegeEscalation") is False,
            # kubelet: system-node-critical pods get oom_score_adj -997
            "oomScoreAdj": -997 if pod.get("priorityClassName") in
            ("system-node-critical", "system-cluster-critical") else 0,
        },
        "root": {"path": os.path.abspath(o.rootfs), "readonly": bool(sc.get("readOnlyRootFilesystem"))},
        "hostname": "zombiecg-pod",
        "mounts": mounts,
        "linux": {
            "namespaces": namespaces,
            "cgroupsPath": o.cgroups_path,
            "resources": resources,
            "maskedPaths": CRI_MASKED,
            "readonlyPaths": CRI_READONLY,
        },
    }
    if o.no_oom_score_adj:
        del config["process"]["oomScoreAdj"]
    if seccomp_profile:
        config["linux"]["seccomp"] = seccomp_profile
    json.dump(config, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
