"""A repository's hubconf.py and its entrypoints (the public callables it defines): hub.load,
hub.list and hub.help, from a local folder (source='local') or a GitHub repository cached in the
hub dir (source='github')."""
import contextlib
import importlib.util
import os
import sys

from ._github import cached_repo

__all__ = ["MODULE_HUBCONF", "VAR_DEPENDENCY", "help", "list", "load"]

MODULE_HUBCONF = "hubconf.py"
VAR_DEPENDENCY = "dependencies"  # hubconf's list of the modules its entrypoints need


@contextlib.contextmanager
def _importable_from(folder):
    """The repository's own modules importable (first on sys.path) inside the block."""
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        sys.path.remove(folder)


def _import_hubconf(folder):
    spec = importlib.util.spec_from_file_location("hubconf", os.path.join(folder, MODULE_HUBCONF))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entrypoint(hubconf, model):
    """The callable `model` of hubconf, once the modules its `dependencies` name are found."""
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    missing = [name for name in getattr(hubconf, VAR_DEPENDENCY, None) or ()
               if importlib.util.find_spec(name) is None]
    if missing:
        raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")
    entry = getattr(hubconf, model, None)
    if entry is None or not callable(entry):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return entry


def _repo_folder(repo_or_dir, source, force_reload, trust_repo, verbose, skip_validation):
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "local":
        return os.fspath(repo_or_dir)
    return cached_repo(repo_or_dir, force_reload, trust_repo, verbose=verbose,
                       skip_validation=skip_validation)


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False,
         verbose=True, skip_validation=False, **kwargs):
    """`model(*args, **kwargs)`, `model` being an entrypoint of the hubconf.py of a local folder
    (source='local') or of the GitHub repository 'owner/repo[:ref]' (source='github', downloaded
    into the hub dir once; force_reload downloads it again). trust_repo: True trusts the
    repository, False asks, 'check' asks unless it is trusted already. skip_validation: do not
    ask GitHub's API whether the ref belongs to the repository. verbose: say when the cache is
    used."""
    folder = _repo_folder(repo_or_dir, source, force_reload, trust_repo, verbose,
                          skip_validation)
    with _importable_from(folder):
        entry = _entrypoint(_import_hubconf(folder), model)
        return entry(*args, **kwargs)


def list(github, force_reload=False, skip_validation=False, trust_repo="check", verbose=True, *,
         source="github"):
    """The names of the entrypoints (public callables) of a repository's hubconf.py. `source`
    is ember's addition (torch's list reads GitHub only): 'local' reads the folder `github`."""
    folder = _repo_folder(github, source, force_reload, trust_repo, verbose, skip_validation)
    with _importable_from(folder):
        hubconf = _import_hubconf(folder)
    return [name for name in dir(hubconf)
            if not name.startswith("_") and callable(getattr(hubconf, name))]


def help(github, model, force_reload=False, skip_validation=False, trust_repo="check", *,
         source="github"):
    """The docstring of the entrypoint `model` of a repository's hubconf.py (`source` as in
    list)."""
    folder = _repo_folder(github, source, force_reload, trust_repo, True, skip_validation)
    with _importable_from(folder):
        hubconf = _import_hubconf(folder)
    return _entrypoint(hubconf, model).__doc__
