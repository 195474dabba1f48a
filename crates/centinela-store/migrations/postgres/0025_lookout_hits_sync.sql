-- Lookout hits travel to the centre (issue 21, part 4): the issuer of a
-- lookout is told of a hit wherever it hits. A hit made at a post is
-- queued in the outbox (kind `lookout_hit`, uid digit `a`) and stored at
-- the centre with `origin` = the pushing post's code ('' where it was made
-- here).
ALTER TABLE lookout_hits ADD COLUMN origin TEXT NOT NULL DEFAULT '';

ALTER TABLE sync_outbox DROP CONSTRAINT sync_outbox_kind_check;
ALTER TABLE sync_outbox ADD CONSTRAINT sync_outbox_kind_check
    CHECK (kind IN ('crossing', 'inspection', 'hit', 'adjudication', 'decision', 'referral', 'audit',
                    'clearance', 'clearance_revocation', 'lookout_hit'));

CREATE FUNCTION lookout_hits_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_outbox (uid, kind, ref) VALUES (
        (SELECT instance FROM sync_state WHERE id = 1) || '-a-' || lpad(to_hex(NEW.id), 16, '0') || '-' || left(replace(gen_random_uuid()::text, '-', ''), 12), 'lookout_hit', NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER lookout_hits_outbox AFTER INSERT ON lookout_hits
    FOR EACH ROW WHEN (NEW.origin = '') EXECUTE FUNCTION lookout_hits_outbox();
