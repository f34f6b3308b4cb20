"""The functional namespace of ember's ops (ember.add, ember.matmul ...): re-exports by family."""
from types import ModuleType as _ModuleType

from .activation import *  # noqa: F401,F403
from .arithmetic import *  # noqa: F401,F403
from .bessel import *  # noqa: F401,F403
from .clamping import *  # noqa: F401,F403
from .combinatorics import *  # noqa: F401,F403
from .compare import *  # noqa: F401,F403
from .complex import *  # noqa: F401,F403
from .contraction import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .convert import *  # noqa: F401,F403
from .count_sampling import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .deprecated import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropouts import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .extrema import *  # noqa: F401,F403
from .factorizations import *  # noqa: F401,F403
from .float_parts import *  # noqa: F401,F403
from .fused import *  # noqa: F401,F403
from .gamma import *  # noqa: F401,F403
from .gradient import *  # noqa: F401,F403
from .histogram import *  # noqa: F401,F403
from .in_place_forms import *  # noqa: F401,F403
from .incomplete_gamma import *  # noqa: F401,F403
from .index import *  # noqa: F401,F403
from .inverses import *  # noqa: F401,F403
from .join import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .margin_loss import *  # noqa: F401,F403
from .matrix_functions import *  # noqa: F401,F403
from .nested_padding import *  # noqa: F401,F403
from .norm import *  # noqa: F401,F403
from .norm_composite import *  # noqa: F401,F403
from .ordering import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pairwise import *  # noqa: F401,F403
from .parametric_relu import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .renorm import *  # noqa: F401,F403
from .runs import *  # noqa: F401,F403
from .scan import *  # noqa: F401,F403
from .scatter_gather import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .shuffle import *  # noqa: F401,F403
from .similarity import *  # noqa: F401,F403
from .solvers import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .special import *  # noqa: F401,F403
from .spectral import *  # noqa: F401,F403
from .lowrank import *  # noqa: F401,F403
from .lobpcg import *  # noqa: F401,F403
from .spectrogram import *  # noqa: F401,F403
from .strided import *  # noqa: F401,F403
from .tiling import *  # noqa: F401,F403
from .triangular import *  # noqa: F401,F403
from .unary import *  # noqa: F401,F403

# Only the ops, not the family modules themselves (ember.linalg must stay the linalg namespace).
__all__ = sorted(name for name, value in globals().items()
                 if not name.startswith("_") and not isinstance(value, _ModuleType))
