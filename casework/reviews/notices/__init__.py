"""Statutory notices: what each type of review must tell the Panel, the Secretary of State,
Ofsted or the Home Office, by when (rules), recording what was sent and the answers (services),
and the Home Office quality assurance loop of a domestic abuse related death review."""
