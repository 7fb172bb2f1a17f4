"""View modules: one per page or report, each building everything its template prints."""
