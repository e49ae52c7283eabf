"""The words of a printed micro-credential, per language: the learner's certificate (HTML and PDF) and the
EDC display page (``credentials.edc_display``) say the same things in the same words.

Labels follow Annex I of Council Recommendation 2022/C 243/02 (the EU micro-credential elements). A missing
word falls back to English, word by word.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {"learner": "Awarded to",
           "heading": "Certificate", "kind": "EU micro-credential", "awarded_to": "This certifies that",
           "achieved": "has been awarded the micro-credential", "awarded_by": "Awarded by", "issued": "Date of issue",
           "valid_until": "Valid until", "outcomes": "Learning outcomes", "workload": "Notional workload",
           "hours": "hours", "level": "Level", "not_applicable": "Not applicable", "assessment": "Type of assessment",
           "participation": "Form of participation", "quality": "Type of quality assurance",
           "setting": "Learning setting", "prerequisites": "Prerequisites", "supervision": "Supervision and "
           "identity verification", "grade": "Grading", "stackability": "Integration and stackability",
           "further": "Further information", "field": "Field of study", "verify": "Verify this credential",
           "scan": "Scan the code or open the address to check that this credential is genuine.",
           "credential_id": "Credential", "status": "Status", "languages": "Languages"},
    "de": {"learner": "Verliehen an",
           "heading": "Zertifikat", "kind": "EU-Microcredential", "awarded_to": "Hiermit wird bestätigt, dass",
           "achieved": "das Microcredential erworben hat", "awarded_by": "Verliehen von", "issued": "Ausstellungsdatum",
           "valid_until": "Gültig bis", "outcomes": "Lernergebnisse", "workload": "Fiktiver Arbeitsaufwand",
           "hours": "Stunden", "level": "Niveau", "not_applicable": "Nicht zutreffend", "assessment": "Art der Prüfung",
           "participation": "Form der Teilnahme", "quality": "Art der Qualitätssicherung",
           "setting": "Lernumfeld", "prerequisites": "Voraussetzungen", "supervision": "Aufsicht und "
           "Identitätsprüfung", "grade": "Bewertung", "stackability": "Integration und Kombinierbarkeit",
           "further": "Weitere Informationen", "field": "Studienbereich", "verify": "Dieses Zertifikat prüfen",
           "scan": "Scannen Sie den Code oder öffnen Sie die Adresse, um die Echtheit zu prüfen.",
           "credential_id": "Nachweis", "status": "Status", "languages": "Sprachen"},
    "fr": {"learner": "Décernée à",
           "heading": "Certificat", "kind": "Microcertification de l'UE", "awarded_to": "Nous certifions que",
           "achieved": "a obtenu la microcertification", "awarded_by": "Délivré par", "issued": "Date de délivrance",
           "valid_until": "Valable jusqu'au", "outcomes": "Acquis d'apprentissage", "workload": "Charge de travail",
           "hours": "heures", "level": "Niveau", "not_applicable": "Sans objet", "assessment": "Type d'évaluation",
           "participation": "Forme de participation", "quality": "Type d'assurance qualité",
           "setting": "Cadre d'apprentissage", "prerequisites": "Conditions préalables", "supervision": "Surveillance "
           "et vérification de l'identité", "grade": "Notation", "stackability": "Intégration et cumul",
           "further": "Informations complémentaires", "field": "Domaine d'études", "verify": "Vérifier ce certificat",
           "scan": "Scannez le code ou ouvrez l'adresse pour vérifier l'authenticité de ce certificat.",
           "credential_id": "Attestation", "status": "Statut", "languages": "Langues"},
    "nl": {"learner": "Toegekend aan",
           "heading": "Certificaat", "kind": "EU-microcredential", "awarded_to": "Hierbij wordt verklaard dat",
           "achieved": "het microcredential heeft behaald", "awarded_by": "Uitgereikt door",
           "issued": "Datum van afgifte", "valid_until": "Geldig tot", "outcomes": "Leerresultaten",
           "workload": "Studielast", "hours": "uur",
           "level": "Niveau", "not_applicable": "Niet van toepassing", "assessment": "Soort beoordeling",
           "participation": "Vorm van deelname", "quality": "Soort kwaliteitsborging", "setting": "Leeromgeving",
           "prerequisites": "Toelatingsvoorwaarden", "supervision": "Toezicht en identiteitscontrole",
           "grade": "Beoordeling", "stackability": "Integratie en stapelbaarheid", "further": "Meer informatie",
           "field": "Studiegebied", "verify": "Dit certificaat controleren",
           "scan": "Scan de code of open het adres om te controleren of dit certificaat echt is.",
           "credential_id": "Credential", "status": "Status", "languages": "Talen"},
    "es": {"learner": "Otorgada a",
           "heading": "Certificado", "kind": "Microcredencial de la UE", "awarded_to": "Se certifica que",
           "achieved": "ha obtenido la microcredencial", "awarded_by": "Otorgada por",
           "issued": "Fecha de expedición", "valid_until": "Válida hasta", "outcomes": "Resultados de aprendizaje",
           "workload": "Carga de trabajo", "hours": "horas", "level": "Nivel", "not_applicable": "No procede",
           "assessment": "Tipo de evaluación", "participation": "Forma de participación",
           "quality": "Tipo de garantía de calidad", "setting": "Entorno de aprendizaje",
           "prerequisites": "Requisitos previos", "supervision": "Supervisión y verificación de la identidad",
           "grade": "Calificación", "stackability": "Integración y combinabilidad", "further": "Más información",
           "field": "Ámbito de estudio", "verify": "Verificar esta credencial",
           "scan": "Escanee el código o abra la dirección para comprobar que esta credencial es auténtica.",
           "credential_id": "Credencial", "status": "Estado", "languages": "Idiomas"},
    "it": {"learner": "Conferita a",
           "heading": "Certificato", "kind": "Microcredenziale dell'UE", "awarded_to": "Si certifica che",
           "achieved": "ha conseguito la microcredenziale", "awarded_by": "Rilasciata da",
           "issued": "Data di rilascio", "valid_until": "Valida fino al", "outcomes": "Risultati dell'apprendimento",
           "workload": "Carico di lavoro", "hours": "ore", "level": "Livello", "not_applicable": "Non applicabile",
           "assessment": "Tipo di valutazione", "participation": "Forma di partecipazione",
           "quality": "Tipo di garanzia della qualità", "setting": "Contesto di apprendimento",
           "prerequisites": "Prerequisiti", "supervision": "Supervisione e verifica dell'identità",
           "grade": "Valutazione", "stackability": "Integrazione e cumulabilità", "further": "Ulteriori informazioni",
           "field": "Ambito di studio", "verify": "Verifica questa credenziale",
           "scan": "Scansiona il codice o apri l'indirizzo per verificare l'autenticità di questa credenziale.",
           "credential_id": "Credenziale", "status": "Stato", "languages": "Lingue"},
}


def words(lang: str) -> dict[str, str]:
    """Every word in ``lang``, English where ``lang`` has none."""
    return {**WORDS["en"], **WORDS.get(lang.split("-")[0].lower(), {})}
