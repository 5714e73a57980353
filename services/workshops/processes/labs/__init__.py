"""Regional labs as a programme activity (issue 22.6): meetings of an edition, working groups, participants.

The first Community Lab met 5 times with 65 participants (district directors, heads of the Uffici di Piano, the
offices supporting the CTSS) in two working groups. Meetings and groups belong to a programme edition (this
domain's ``editions``); participants and members are registry people by id, each with the recipient category
they took part as. Who took part is read by regional administrators only; counts are public.
"""
