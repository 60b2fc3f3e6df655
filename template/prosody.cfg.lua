-- The component whose stanzas go to the bot: add it to prosody.cfg.lua (or a
-- file in conf.d/), install mod_rest, then `prosodyctl restart`.
-- mod_rest: prosodyctl install --server=https://modules.prosody.im/rocks/ mod_rest

Component "{{component}}" "rest"
    -- Where the bot listens (BOT_ADDR, 127.0.0.1:8080 by default).
    rest_callback_url = "http://127.0.0.1:8080/"

    -- The format before the startup probe answers, and the only one for the
    -- early-2020 mod_rest (which sends no probe). The bot takes both.
    -- rest_callback_content_type = "application/xmpp+xml"

    -- The early-2020 mod_rest also requires a credential for its /rest:
    -- rest_credentials = "Bearer <a long random token>"
