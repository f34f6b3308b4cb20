"""The functional namespace of ember's ops (ember.add, ember.matmul ...): re-exports by family."""
from .convert import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
