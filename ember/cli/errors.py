"""JobError: bad input to the main job, reported as one line without a traceback."""


class JobError(Exception):
    pass
