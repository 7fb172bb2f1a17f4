"""View models: one module per page or report, each building everything its template prints
(computed once; see STYLE.md)."""
