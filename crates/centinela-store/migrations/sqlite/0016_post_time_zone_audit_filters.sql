-- Each post's time zone (an IANA name): the pages show a post's users every
-- date and time in it. The posts already stored get their country's zone
-- (Mexico's southern border: America/Mexico_City); empty means none set,
-- and the pages then use the centre's zone.
ALTER TABLE posts ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
UPDATE posts SET time_zone = CASE country
    WHEN 'GTM' THEN 'America/Guatemala'
    WHEN 'MEX' THEN 'America/Mexico_City'
    WHEN 'SLV' THEN 'America/El_Salvador'
    WHEN 'HND' THEN 'America/Tegucigalpa'
    WHEN 'NIC' THEN 'America/Managua'
    WHEN 'CRI' THEN 'America/Costa_Rica'
    WHEN 'PAN' THEN 'America/Panama'
    WHEN 'DOM' THEN 'America/Santo_Domingo'
    WHEN 'BLZ' THEN 'America/Belize'
    WHEN 'COL' THEN 'America/Bogota'
    ELSE '' END;

-- The auditor reads the log newest first by user or by action.
CREATE INDEX audit_log_actor_seq ON audit_log (actor, seq);
CREATE INDEX audit_log_action_seq ON audit_log (action, seq);
