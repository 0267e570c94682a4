//! What makes our files claim PDF/A-3a (ISO 19005-3, archival, with the record carried inside)
//! and PDF/UA-1 (ISO 14289-1, accessible): XMP metadata that agrees with the document info, the
//! sRGB output intent, the viewer's title preference and a file identifier. The claims are only
//! written by `finish` after the structure tree (structure.rs) is in the document.

use super::PdfError;
use super::attach::Info;
use super::structure::text_string;
use lopdf::{Dictionary, Document, Object, Stream};

/// The sRGB profile of the output intent (templates/icc: Debian icc-profiles-free, zlib licence).
const SRGB_ICC: &[u8] = include_bytes!("../../templates/icc/sRGB.icc");

/// What the file says made it (Info /Producer and XMP pdf:Producer, which must agree).
pub const PRODUCER: &str = concat!("Taiwa ", env!("CARGO_PKG_VERSION"), " (printpdf, lopdf)");
pub const CREATOR: &str = "Taiwa";

/// A text as the info dictionary and the XMP both hold it: XML 1.0 has no place for most control
/// characters (a title never needs them), and the two must say the same (PDF/A-3 6.6.3).
fn plain(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' && c != '\n' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in plain(s).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `D:YYYYMMDDHHmmSSZ` as XMP's `YYYY-MM-DDTHH:mm:SSZ` (the same instant: PDF/A 6.6.3 wants the
/// info dictionary and the metadata to agree).
fn xmp_date(pdf_date: &str) -> Result<String, PdfError> {
    let d = pdf_date
        .strip_prefix("D:")
        .filter(|d| d.len() >= 14 && d[..14].bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| PdfError::Write(format!("not a PDF date: {pdf_date}")))?;
    Ok(format!(
        "{}-{}-{}T{}:{}:{}Z",
        &d[0..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14]
    ))
}

/// The XMP packet: Dublin Core title, author, subject and language; the dates, creator tool and
/// producer; the PDF/A-3a and PDF/UA-1 identification; and the extension schema that PDF/A asks
/// for pdfuaid, which is not one of its predefined schemas (ISO 19005-3 6.6.2.3).
pub fn xmp(info: &Info) -> Result<String, PdfError> {
    let date = xmp_date(&info.date)?;
    let title = xml_escape(&info.title);
    let subject = xml_escape(&info.subject);
    let creator = if info.author.is_empty() {
        String::new()
    } else {
        format!(
            "   <dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            xml_escape(&info.author)
        )
    };
    Ok(format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
{creator}   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdf:Producer>{PRODUCER}</pdf:Producer>
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>A</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{FEFF}',
        lang = xml_escape(info.lang),
    ))
}

/// The document info dictionary, the same facts as the XMP (PDF/A-3 6.6.3); an empty author is
/// left out of both.
pub fn info_dict(info: &Info) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Title", text_string(&plain(&info.title)));
    if !info.author.is_empty() {
        d.set("Author", text_string(&plain(&info.author)));
    }
    d.set("Subject", text_string(&plain(&info.subject)));
    d.set("Creator", text_string(CREATOR));
    d.set("Producer", text_string(PRODUCER));
    d.set("CreationDate", text_string(&info.date));
    d.set("ModDate", text_string(&info.date));
    d
}

/// Writes the info dictionary, the metadata stream, the output intent, the language and the
/// viewer preference, and the file identifier.
pub fn identify(doc: &mut Document, info: &Info, file_id: &[u8]) -> Result<(), PdfError> {
    let info_id = doc.add_object(info_dict(info));
    doc.trailer.set("Info", info_id);

    let mut meta = Dictionary::new();
    meta.set("Type", Object::Name(b"Metadata".to_vec()));
    meta.set("Subtype", Object::Name(b"XML".to_vec()));
    let mut meta = Stream::new(meta, xmp(info)?.into_bytes());
    // Left readable as it is: archive tools look for the packet in the raw bytes.
    meta.allows_compression = false;
    let meta = doc.add_object(meta);

    let mut icc = Dictionary::new();
    icc.set("N", 3);
    let icc = doc.add_object(Stream::new(icc, SRGB_ICC.to_vec()));
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFA1".to_vec()));
    intent.set(
        "OutputConditionIdentifier",
        text_string("sRGB IEC61966-2.1"),
    );
    intent.set("RegistryName", text_string("http://www.color.org"));
    intent.set("Info", text_string("sRGB IEC61966-2.1"));
    intent.set("DestOutputProfile", icc);

    let catalog = doc
        .catalog_mut()
        .map_err(|e| PdfError::Write(format!("catalog: {e}")))?;
    catalog.set("Lang", text_string(info.lang));
    catalog.set("Metadata", meta);
    catalog.set("OutputIntents", Object::Array(vec![intent.into()]));
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", true);
    catalog.set("ViewerPreferences", prefs);

    // The same identifier twice: the file is written once, never updated in place.
    let id = Object::String(file_id.to_vec(), lopdf::StringFormat::Hexadecimal);
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(title: &str, author: &str) -> Info {
        Info {
            title: title.to_string(),
            author: author.to_string(),
            subject: "s".to_string(),
            lang: "ja-JP",
            date: "D:20261208013000Z".to_string(),
        }
    }

    #[test]
    fn the_metadata_says_what_the_info_says_and_escapes_the_title() {
        let x = xmp(&info("対話記録 <A&B>", "")).unwrap();
        assert!(x.contains(r#"<rdf:li xml:lang="x-default">対話記録 &lt;A&amp;B&gt;</rdf:li>"#));
        assert!(x.contains("<xmp:CreateDate>2026-12-08T01:30:00Z</xmp:CreateDate>"));
        assert!(x.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(x.contains("<pdfaid:conformance>A</pdfaid:conformance>"));
        assert!(x.contains("<pdfuaid:part>1</pdfuaid:part>"));
        // No author: neither the metadata nor the info dictionary names one.
        assert!(!x.contains("dc:creator"));
        assert!(info_dict(&info("t", "")).get(b"Author").is_err());
        let x = xmp(&info("t", "支援員")).unwrap();
        assert!(x.contains("<dc:creator><rdf:Seq><rdf:li>支援員</rdf:li></rdf:Seq></dc:creator>"));
    }

    #[test]
    fn a_date_that_is_not_a_pdf_date_is_an_error_not_a_wrong_claim() {
        let mut i = info("t", "");
        i.date = "2026-12-08".to_string();
        assert!(xmp(&i).is_err());
    }
}
