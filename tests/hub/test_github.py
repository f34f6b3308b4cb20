"""hub.load / list / help with source='github' against a fake GitHub on 127.0.0.1
(_fake_github): the archive is downloaded once into the hub dir and extracted safely, refs are
resolved and validated through the API, and untrusted repositories are asked about."""
import os
import zipfile

import pytest

from ember import hub
from ember.hub import _github
from ._fake_github import FakeGitHub, raw_zip, ref_entry, repo_zip

HUBCONF = '''
import os

dependencies = ["numpy"]
from hubrepo_factor import FACTOR  # a module of the repository itself


def version():
    """The version this archive holds."""
    with open(os.path.join(os.path.dirname(__file__), "VERSION")) as f:
        return f.read()


def scaled(x, *, factor=FACTOR):
    return x * factor
'''


def _repo_files(version):
    return {"hubconf.py": HUBCONF, "hubrepo_factor.py": "FACTOR = 2\n", "VERSION": version,
            "docs/readme.txt": "hello\n"}


@pytest.fixture(scope="module")
def github_server():
    """One server for the module (stopping one takes half a second): (FakeGitHub, base URL)."""
    fake = FakeGitHub()
    with fake.serve() as base:
        yield fake, base


@pytest.fixture
def github(github_server, monkeypatch):
    """The fake GitHub, reset, serving owner/repo at v1, with ember.hub pointed at it."""
    fake, base = github_server
    fake.reset()
    fake.archives[("owner", "repo", "v1")] = repo_zip(_repo_files("v1"))
    monkeypatch.setattr(_github, "GITHUB", base)
    monkeypatch.setattr(_github, "GITHUB_API", base)
    return fake


def _load(*args, **kwargs):
    kwargs = {"trust_repo": True, "skip_validation": True, **kwargs}
    return hub.load(*args, **kwargs)


def test_downloads_extracts_and_loads(github, hub_dir, capsys):
    assert _load("owner/repo:v1", "scaled", 3, factor=5) == 15
    repo_dir = hub_dir / "owner_repo_v1"
    assert sorted(os.listdir(hub_dir)) == ["owner_repo_v1", "trusted_list"]  # no zip, no temp
    assert sorted(os.listdir(repo_dir)) == ["VERSION", "docs", "hubconf.py", "hubrepo_factor.py"]
    assert (repo_dir / "docs" / "readme.txt").read_text() == "hello\n"
    assert github.archive_requests() == ["/owner/repo/zipball/v1"]
    assert "Downloading" in capsys.readouterr().out


def test_the_cache_is_used_until_force_reload(github, hub_dir, capsys):
    assert _load("owner/repo:v1", "version") == "v1"
    capsys.readouterr()
    github.archives[("owner", "repo", "v1")] = repo_zip(_repo_files("v1-moved"), top="other-top")
    assert _load("owner/repo:v1", "version") == "v1"  # cached: no request
    assert capsys.readouterr().err == f"Using cache found in {hub_dir / 'owner_repo_v1'}\n"
    assert _load("owner/repo:v1", "version", verbose=False) == "v1"
    assert capsys.readouterr().err == ""
    assert len(github.archive_requests()) == 1
    assert _load("owner/repo:v1", "version", force_reload=True) == "v1-moved"
    assert len(github.archive_requests()) == 2
    assert sorted(os.listdir(hub_dir)) == ["owner_repo_v1", "trusted_list"]


def test_list_and_help(github, hub_dir):
    assert hub.list("owner/repo:v1", trust_repo=True, skip_validation=True) == [
        "scaled", "version"]
    assert hub.help("owner/repo:v1", "version", trust_repo=True, skip_validation=True) == (
        "The version this archive holds.")
    assert len(github.archive_requests()) == 1


@pytest.mark.parametrize("has_main, ref", [(True, "main"), (False, "master")])
def test_default_branch_is_main_else_master(github, hub_dir, has_main, ref):
    github.has_main = has_main
    github.archives[("owner", "repo", ref)] = repo_zip(_repo_files(ref))
    assert _load("owner/repo", "version") == ref
    assert os.path.isdir(hub_dir / f"owner_repo_{ref}")


def test_offline_without_a_ref_uses_the_cached_default_branch(hub_dir, monkeypatch):
    monkeypatch.setattr(_github, "GITHUB", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(RuntimeError, match="It looks like there is no internet connection and "
                                           "the repo could not be found in the cache"):
        _load("owner/repo", "version")
    folder = hub_dir / "owner_repo_master"
    folder.mkdir(parents=True)
    (folder / "hubconf.py").write_text("def version():\n    return 'offline'\n")
    assert _load("owner/repo", "version") == "offline"


def test_branch_names_with_a_slash(github, hub_dir):
    github.archives[("owner", "repo", "feature/x")] = repo_zip(_repo_files("fx"))
    assert _load("owner/repo:feature/x", "version") == "fx"
    assert os.path.isdir(hub_dir / "owner_repo_feature_x")


def test_validation_finds_the_ref_among_branches_tags_and_commits(github, hub_dir,
                                                                  monkeypatch):
    github.branches = [[ref_entry("dev", "aaaa")], [ref_entry("other", "bbbb")]]
    github.tags = [[ref_entry("v1", "cccc1234")]]
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    assert _load("owner/repo:v1", "version", skip_validation=False) == "v1"
    asked = [path for path, _ in github.requests if path.startswith("/repos/")]
    assert asked == ["/repos/owner/repo/branches?per_page=100&page=1",
                     "/repos/owner/repo/branches?per_page=100&page=2",
                     "/repos/owner/repo/branches?per_page=100&page=3",
                     "/repos/owner/repo/tags?per_page=100&page=1"]
    headers = [h for path, h in github.requests if path.startswith("/repos/")]
    assert all(h["Authorization"] == "token secret" for h in headers)
    github.archives[("owner", "repo", "cccc12")] = repo_zip(_repo_files("by-commit"))
    assert _load("owner/repo:cccc12", "version", skip_validation=False) == "by-commit"


def test_validation_refuses_a_ref_the_repository_does_not_have(github, hub_dir):
    github.branches = [[ref_entry("main", "aaaa")]]
    with pytest.raises(ValueError, match="^Cannot find v1 in https://github.com/owner/repo. If "
                                         "it's a commit from a forked repo, please call "
                                         "hub.load\\(\\) with forked repo directly.$"):
        _load("owner/repo:v1", "version", skip_validation=False)
    assert github.archive_requests() == []
    assert not os.path.exists(hub_dir / "owner_repo_v1")


def test_ambiguous_ref_takes_the_branch(github, hub_dir):
    github.ambiguous.add("v1")
    github.archives[("owner", "repo", "refs/heads/v1")] = repo_zip(_repo_files("branch"))
    with pytest.warns(UserWarning, match="The ref v1 is ambiguous") as caught:
        assert _load("owner/repo:v1", "version") == "branch"
    assert caught[0].filename == __file__  # points at the call of hub.load


@pytest.mark.parametrize("names, message", [
    (["top/", "top/hubconf.py", "top/../../evil.py"], "Archive entry contains directory "
                                                        "traversal: top/../../evil.py"),
    (["../evil.py"], "Archive entry contains directory traversal: ../evil.py"),
    (["top/hubconf.py", "/tmp/hubrepo_evil.py"], "Archive entry has absolute path: "
                                                 "/tmp/hubrepo_evil.py"),
])
def test_an_archive_escaping_its_folder_is_refused(github, hub_dir, tmp_path, names, message):
    github.archives[("owner", "repo", "v1")] = raw_zip(names)
    with pytest.raises(ValueError, match=f"^{message}$"):
        _load("owner/repo:v1", "version")
    assert sorted(os.listdir(hub_dir)) == ["trusted_list"]  # nothing extracted, nothing left
    assert not os.path.exists(tmp_path / "evil.py") and not os.path.exists("/tmp/hubrepo_evil.py")


def test_an_archive_refused_by_torch_hub_too(tmp_path):
    torch_hub = pytest.importorskip("torch.hub")
    from ember.hub._safe_zip import extract_zip
    for names in (["a/../../x.py"], ["/abs.py"], ["C:/windows.py"]):
        archive = tmp_path / "bad.zip"
        archive.write_bytes(raw_zip(names))
        with zipfile.ZipFile(archive) as zf, pytest.raises(ValueError) as theirs:
            torch_hub._safe_extract_zip(zf, tmp_path / "torch")
        with pytest.raises(ValueError) as mine:
            extract_zip(archive, tmp_path / "ember")
        assert str(mine.value) == str(theirs.value)
    assert not os.path.exists(tmp_path / "ember")


def test_a_corrupt_archive_leaves_nothing(github, hub_dir):
    github.archives[("owner", "repo", "v1")] = b"PK\x03\x04 this is not a zip"
    with pytest.raises(zipfile.BadZipFile):
        _load("owner/repo:v1", "version")
    assert sorted(os.listdir(hub_dir)) == ["trusted_list"]


def test_a_missing_ref_is_urllibs_404(github, hub_dir):
    import urllib.error
    with pytest.raises(urllib.error.HTTPError, match="404"):
        _load("owner/repo:nope", "version")


@pytest.mark.parametrize("spec", ["owner", "owner/repo/extra", "/repo", "owner/repo:a:b"])
def test_a_malformed_repo_is_refused(hub_dir, spec):
    with pytest.raises(ValueError, match="repo_owner/repo_name\\[:ref\\]"):
        _load(spec, "version")


class _Answers:
    def __init__(self, monkeypatch, *answers):
        self.prompts, self._answers = [], list(answers)
        monkeypatch.setattr("builtins.input", self)

    def __call__(self, prompt):
        self.prompts.append(prompt)
        return self._answers.pop(0)


def test_an_untrusted_repository_is_asked_about(github, hub_dir, monkeypatch):
    answers = _Answers(monkeypatch, "N", "what", "y")
    with pytest.raises(Exception, match="^Untrusted repository.$"):
        _load("owner/repo:v1", "version", trust_repo="check")
    with pytest.raises(ValueError, match="^Unrecognized response what.$"):
        _load("owner/repo:v1", "version", trust_repo="check")
    assert github.archive_requests() == []
    assert _load("owner/repo:v1", "version", trust_repo="check") == "v1"
    assert answers.prompts[0] == (
        "The repository owner_repo does not belong to the list of trusted repositories and as "
        "such cannot be downloaded. Do you trust this repository and wish to add it to the "
        "trusted list of repositories (y/N)?")
    assert (hub_dir / "trusted_list").read_text() == "owner_repo\n"
    assert _load("owner/repo:v1", "version", trust_repo="check") == "v1"  # trusted now
    assert len(answers.prompts) == 3


def test_trust_repo_false_always_asks(github, hub_dir, monkeypatch, capsys):
    (hub_dir).mkdir()
    (hub_dir / "trusted_list").write_text("owner_repo\n")
    answers = _Answers(monkeypatch, "yes")
    assert _load("owner/repo:v1", "version", trust_repo=False) == "v1"
    assert len(answers.prompts) == 1
    assert "The repository is already trusted." in capsys.readouterr().out
    assert (hub_dir / "trusted_list").read_text() == "owner_repo\n"  # not listed twice


def test_known_owners_and_earlier_downloads_are_trusted(github, hub_dir, monkeypatch):
    _Answers(monkeypatch)  # any prompt would fail: no answers
    github.archives[("pytorch", "vision", "v1")] = repo_zip(_repo_files("pv"))
    assert _load("pytorch/vision:v1", "version", trust_repo="check") == "pv"
    os.makedirs(hub_dir / "owner_repo_v1")  # downloaded by an older version: trusted
    (hub_dir / "owner_repo_v1" / "hubconf.py").write_text("def version():\n    return 'old'\n")
    assert _load("owner/repo:v1", "version", trust_repo="check") == "old"
    assert (hub_dir / "trusted_list").read_text() == ""  # neither needed listing


def test_same_repository_through_torch_hub(github, tmp_path, monkeypatch):
    """torch.hub, pointed at the same fake GitHub, builds the same folder and the same result."""
    torch_hub = pytest.importorskip("torch.hub")
    monkeypatch.setattr(torch_hub, "_git_archive_link",
                        lambda owner, repo, ref: f"{_github.GITHUB}/{owner}/{repo}/zipball/{ref}")
    monkeypatch.setattr(torch_hub, "_hub_dir", str(tmp_path / "torch"))
    monkeypatch.setattr(hub, "_hub_dir", str(tmp_path / "ember"))
    theirs = torch_hub.load("owner/repo:v1", "scaled", 4, trust_repo=True, skip_validation=True)
    mine = _load("owner/repo:v1", "scaled", 4)
    assert mine == theirs == 8
    for d in ("torch", "ember"):
        assert sorted(os.listdir(tmp_path / d)) == ["owner_repo_v1", "trusted_list"]
        assert (tmp_path / d / "trusted_list").read_text() == "owner_repo\n"
    assert (sorted(os.listdir(tmp_path / "torch" / "owner_repo_v1"))
            == sorted(os.listdir(tmp_path / "ember" / "owner_repo_v1")))
