from openbeat.geo.postcode import normalise_postcode


def test_normalise_postcode():
    assert normalise_postcode(" n134pn ") == "N13 4PN"
    assert normalise_postcode("EC1A 1BB") == "EC1A 1BB"
    assert normalise_postcode("ec1a1bb") == "EC1A 1BB"
    assert normalise_postcode("51.5,-0.1") is None
    assert normalise_postcode("N13 4PNX") is None
    assert normalise_postcode("") is None
