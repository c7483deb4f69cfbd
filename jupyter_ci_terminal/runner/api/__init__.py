"""The runner's GitLab REST v4 subset: routes, JSON serialization and the SQLite store."""
