"""The main job's failures, each reported as one line without a traceback: JobError (bad input,
exit 2) and OutputError (the run's checkpoint or outputs could not be written, exit 1)."""


class JobError(Exception):
    exit_code = 2


class OutputError(JobError):
    exit_code = 1
