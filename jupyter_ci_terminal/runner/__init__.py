"""The embedded local runner: ``.gitlab-ci.yml`` pipelines, job terminals and a GitLab API subset."""
