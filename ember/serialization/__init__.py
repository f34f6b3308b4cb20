"""ember.save / ember.load in PyTorch's zip checkpoint format (both directions), safetensors, and a
weights-only unpickler that refuses to run code (NOTE [ Checkpoint format ] in _format.py, NOTE
[ What a weights-only load allows ] in _unpickler.py, SECURITY.md at the repository's root)."""
from ._reader import load
from ._safetensors import load_safetensors, save_safetensors
from ._unpickler import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals
from ._writer import save

__all__ = ["save", "load", "save_safetensors", "load_safetensors", "add_safe_globals",
           "safe_globals", "get_safe_globals", "clear_safe_globals"]
