"""A police.uk-compatible API served from the lake, mounted at ``/police-uk/api/``.

A client written for ``https://data.police.uk/api/`` works unchanged against
``https://<host>/police-uk/api/``: same paths, parameters, JSON and status codes, for
every month the lake holds. See docs/police-uk-api.md.
"""
