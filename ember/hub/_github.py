"""A GitHub repository ('owner/repo[:ref]') in the hub dir: its ref resolved, checked against
the user's trusted list and (unless skipped) against the repository's own branches and tags,
downloaded once as GitHub's zip archive and extracted into <hub dir>/<owner>_<repo>_<ref>."""
import json
import os
import shutil
import sys
import urllib.error
import urllib.request
import warnings

from ..utils._tempfiles import remove_stale, temp_dir
from ._safe_zip import extract_zip
from .._warnings import user_stacklevel

__all__ = ["ENV_GITHUB_TOKEN", "cached_repo"]

ENV_GITHUB_TOKEN = "GITHUB_TOKEN"
# Where repositories are read from; tests point these at a local server.
GITHUB = "https://github.com"
GITHUB_API = "https://api.github.com"
# Repositories of these owners are trusted without asking (as torch.hub trusts them).
TRUSTED_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")
TRUSTED_LIST = "trusted_list"
_TIMEOUT = 60.0


def archive_url(owner, repo, ref):
    return f"{GITHUB}/{owner}/{repo}/zipball/{ref}"


def _parse(github):
    """(owner, repo, ref or None) of 'owner/repo[:ref]'."""
    repo_info, _, ref = github.partition(":")
    parts = repo_info.split("/")
    if len(parts) != 2 or not all(parts) or ":" in ref:
        raise ValueError(f'Invalid GitHub repo "{github}": expected "repo_owner/repo_name[:ref]"')
    return parts[0], parts[1], ref or None


def _default_ref(owner, repo, hub_dir):
    """'main' if the repository has that branch, else 'master'. Offline, whichever of the two
    is in the cache."""
    try:
        with urllib.request.urlopen(f"{GITHUB}/{owner}/{repo}/tree/main/", timeout=_TIMEOUT):
            return "main"
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return "master"
        raise
    except urllib.error.URLError as e:
        for ref in ("main", "master"):
            if os.path.exists(os.path.join(hub_dir, f"{owner}_{repo}_{ref}")):
                return ref
        raise RuntimeError("It looks like there is no internet connection and the repo could "
                           f"not be found in the cache ({hub_dir})") from e


def _check_trusted(owner, repo, folder_name, trust_repo, hub_dir):
    """Ask the user (input()) when trust_repo is False, or is 'check' and the repository is not
    trusted yet: its owner is one of TRUSTED_OWNERS, it is in the trusted list, or it was
    downloaded before. A repository the user accepts joins the trusted list."""
    listed = os.path.join(hub_dir, TRUSTED_LIST)
    with open(listed, "a+") as f:  # created empty if missing, as torch.hub does
        f.seek(0)
        trusted_names = {line.strip() for line in f}
    owner_repo = f"{owner}_{repo}"
    trusted = (owner_repo in trusted_names or owner in TRUSTED_OWNERS
               or os.path.isdir(os.path.join(hub_dir, folder_name)))
    if trust_repo is False or (trust_repo == "check" and not trusted):
        answer = input(f"The repository {owner_repo} does not belong to the list of trusted "
                       "repositories and as such cannot be downloaded. Do you trust this "
                       "repository and wish to add it to the trusted list of repositories (y/N)?")
        if answer.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")  # torch's type and message
        if answer.lower() not in ("y", "yes"):
            raise ValueError(f"Unrecognized response {answer}.")
        if trusted:
            print("The repository is already trusted.")
    if not trusted:
        with open(listed, "a") as f:
            f.write(owner_repo + "\n")


def _api_pages(url, headers):
    """The JSON lists of a paginated GitHub API listing, page by page until an empty one."""
    page = 0
    while True:
        page += 1
        request = urllib.request.Request(f"{url}?per_page=100&page={page}", headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=_TIMEOUT)
        except urllib.error.HTTPError:
            if "Authorization" not in headers:
                raise
            headers = {k: v for k, v in headers.items() if k != "Authorization"}
            response = urllib.request.urlopen(  # again without a token that may lack rights
                urllib.request.Request(request.full_url, headers=headers), timeout=_TIMEOUT)
        with response:
            charset = response.headers.get_content_charset("utf-8")
            items = json.loads(response.read().decode(charset))
        if not items:
            return
        yield items


def _check_ref_in_repo(owner, repo, ref):
    """ValueError unless `ref` names a branch or tag of owner/repo or begins the commit of one
    (a ref of a fork is not served by the original repository's name)."""
    headers = {"Accept": "application/vnd.github.v3+json"}
    token = os.environ.get(ENV_GITHUB_TOKEN)
    if token is not None:
        headers["Authorization"] = f"token {token}"
    for kind in ("branches", "tags"):
        for items in _api_pages(f"{GITHUB_API}/repos/{owner}/{repo}/{kind}", headers):
            if any(i["name"] == ref or i["commit"]["sha"].startswith(ref) for i in items):
                return
    raise ValueError(f"Cannot find {ref} in https://github.com/{owner}/{repo}. If it's a commit "
                     "from a forked repo, please call hub.load() with forked repo directly.")


def _download_archive(owner, repo, ref, folder):
    from ..vision.datasets.utils import download_url

    filename = ref.replace("/", "_") + ".zip"
    try:
        return download_url(archive_url(owner, repo, ref), folder, filename)
    except urllib.error.HTTPError as e:
        if e.code != 300:
            raise
        # 300 Multiple Choices: the ref is both a branch and a tag; take the branch, as git does
        warnings.warn(f"The ref {ref} is ambiguous. Perhaps it is both a tag and a branch in the "
                      "repo? Torchhub will now assume that it's a branch. You can disambiguate "
                      "tags and branches by explicitly passing refs/heads/branch_name or "
                      "refs/tags/tag_name as the ref. That might require using "
                      "skip_validation=True.",
                      stacklevel=user_stacklevel())  # the caller of hub.load/list/help
        return download_url(archive_url(owner, repo, f"refs/heads/{ref}"), folder, filename)


def _download_repo(owner, repo, ref, repo_dir):
    """Download and extract the repository into repo_dir (replacing an older copy) only once
    the whole archive is there and safe to extract; nothing is left behind on failure."""
    hub_dir, folder_name = os.path.split(repo_dir)
    remove_stale(hub_dir, ("extract",), base=folder_name)
    staging = temp_dir(repo_dir, "extract")
    try:
        archive = _download_archive(owner, repo, ref, staging)
        tree = os.path.join(staging, "tree")
        os.mkdir(tree)
        extract_zip(archive, tree)
        top = os.listdir(tree)  # GitHub's archives hold one folder, <owner>-<repo>-<commit>
        source = os.path.join(tree, top[0]) if len(top) == 1 else tree
        if not os.path.isdir(source):
            source = tree
        if os.path.lexists(repo_dir):
            os.replace(repo_dir, os.path.join(staging, "old"))  # deleted with the staging folder
        os.replace(source, repo_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def cached_repo(github, force_reload, trust_repo, verbose=True, skip_validation=False):
    """The folder of the repository 'owner/repo[:ref]' in the hub dir, downloaded first unless
    it is there already (or force_reload). Without a ref: 'main' if the repository has it, else
    'master'."""
    from . import get_dir

    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    owner, repo, ref = _parse(github)
    if ref is None:
        ref = _default_ref(owner, repo, hub_dir)
    folder_name = "_".join([owner, repo, ref.replace("/", "_")])  # a branch may hold '/'
    repo_dir = os.path.join(hub_dir, folder_name)
    _check_trusted(owner, repo, folder_name, trust_repo, hub_dir)
    if not force_reload and os.path.exists(repo_dir):
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir
    if not skip_validation:
        _check_ref_in_repo(owner, repo, ref)
    _download_repo(owner, repo, ref, repo_dir)
    return repo_dir
