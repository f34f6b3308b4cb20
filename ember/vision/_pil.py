"""Pillow, imported on first use with a clear message when it is missing."""
import sys


def pil_image():
    """The PIL.Image module."""
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError("ember.vision needs Pillow for images: pip install 'ember[vision]' "
                          "(or pip install pillow)") from exc
    return Image


def is_pil_image(obj):
    """True for a PIL image, without importing Pillow when nothing has loaded it."""
    module = sys.modules.get("PIL.Image")
    return module is not None and isinstance(obj, module.Image)
