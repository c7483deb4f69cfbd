"""Pipeline configuration, pure: load ``.gitlab-ci.yml``, check keywords, decide rules, plan a pipeline."""
