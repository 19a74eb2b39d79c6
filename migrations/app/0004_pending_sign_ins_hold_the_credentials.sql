-- A sign-in under way now holds its temporary credentials itself (`pending_sign_ins.data`,
-- as Authlib keeps them in the session): one write to start a sign-in and one to finish
-- it, instead of two of each.
drop table temporary_credentials;
