"""Everything summit draws: formats (the one table/JSON/CSV path), tables,
charts (one per file) and the HTML report beside its template."""
