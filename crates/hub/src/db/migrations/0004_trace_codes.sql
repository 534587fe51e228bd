-- A lot's trace code (highland_domain::TraceCode, derived from the lot's id),
-- kept so that the public trace page finds a lot by the code on its label.
-- Lots recorded before this version get theirs when the hub next opens
-- (crate::sql::trace::fill_in_codes).
ALTER TABLE lots ADD COLUMN trace_code TEXT;
CREATE INDEX lots_by_trace_code ON lots (trace_code);
