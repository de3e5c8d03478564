"""From a serious incident to a commissioned review: the referral, the confidential identifying
details, the rapid review, the decision, commissioning, and pauses and extensions on the way."""
