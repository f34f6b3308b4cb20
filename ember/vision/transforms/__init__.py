"""ember.vision.transforms: image transforms (torchvision.transforms)."""
from . import functional  # noqa: F401
from ._transforms_color import *  # noqa: F401,F403
from ._transforms_color import __all__ as _color_all
from ._transforms_containers import *  # noqa: F401,F403
from ._transforms_containers import __all__ as _containers_all
from ._transforms_geometry import *  # noqa: F401,F403
from ._transforms_geometry import __all__ as _geometry_all
from ._transforms_tensor import *  # noqa: F401,F403
from ._transforms_tensor import __all__ as _tensor_all
from .functional import InterpolationMode  # noqa: F401
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _transforms_all

__all__ = (["functional", "InterpolationMode"] + _transforms_all + _containers_all + _color_all
           + _geometry_all + _tensor_all)
