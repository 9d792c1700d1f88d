"""Consulta's REST API under /api/v1/: public reading, participants' own answers through their
personal token, and organisers' work through API tokens they create and revoke."""
