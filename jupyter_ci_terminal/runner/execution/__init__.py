"""Running pipelines: the scheduler, each job's scripts, artifacts, traces and process cleanup."""
