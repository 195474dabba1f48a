-- A list import writes its new version as *staged*, in many short
-- transactions, then makes it current in one. Nobody reads a staged
-- version; one left by an import that died is removed at the list's next
-- import or when a server starts.
ALTER TABLE list_versions ADD COLUMN staged BOOLEAN NOT NULL DEFAULT FALSE;

-- Rows of a purged or abandoned version are deleted a few thousand at a time.
CREATE INDEX documents_version ON documents (version_id);
