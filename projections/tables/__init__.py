"""The persisted views: tables in the store's own database, kept current from the log.

`schema` (table names, DDL, row codecs), `read` (queries over either
backend's reader), `catchup` (folding new log entries into rows), `writer`
(the writes every backend shares), and one module per backend (`sqlite`,
`postgres`): its reader and its tracking recorder.
"""
