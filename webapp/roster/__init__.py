"""The monthly roster (CCIMA-3, CCIMA-4): the managers' page, the advisors' signed confirmation
link and the inbound WhatsApp webhook their replies arrive on."""
