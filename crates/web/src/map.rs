//! The map of Chongqing's 38 districts as SVG paths, drawn on the server from the
//! reference polygons (`data/regions/district_geo.json`, see data/README.md) so that a
//! page needs no script: longitude and latitude projected equirectangularly (longitude
//! scaled by the cosine of the middle latitude), rounded to whole pixels, a point kept
//! only when it moves. Built once per process.

use std::sync::OnceLock;

/// One district's outline.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Shape {
    /// The 6-digit code.
    pub code: String,
    pub name: String,
    /// SVG path data.
    pub path: String,
    /// The label point (the package's centre).
    pub x: i32,
    pub y: i32,
}

/// The map's size in pixels.
pub const WIDTH: f64 = 640.0;

const GEO: &str = include_str!("../../../data/regions/district_geo.json");

type Ring = Vec<[f64; 2]>;

fn rings(geometry: &serde_json::Value) -> Vec<Ring> {
    let to_ring = |r: &serde_json::Value| -> Ring {
        r.as_array()
            .map(|pts| pts.iter().filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?])).collect())
            .unwrap_or_default()
    };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => coords.as_array().map(|p| p.iter().map(to_ring).collect()).unwrap_or_default(),
        Some("MultiPolygon") => coords
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p.as_array()).flat_map(|p| p.iter().map(to_ring)).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The districts' shapes and the map's height.
pub fn shapes() -> &'static (Vec<Shape>, f64) {
    static SHAPES: OnceLock<(Vec<Shape>, f64)> = OnceLock::new();
    SHAPES.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(GEO).unwrap_or_default();
        let features = doc["features"].as_array().cloned().unwrap_or_default();
        let all: Vec<(String, String, Vec<Ring>, [f64; 2])> = features
            .iter()
            .map(|f| {
                let p = &f["properties"];
                let cp = [p["cp"][0].as_f64().unwrap_or(0.0), p["cp"][1].as_f64().unwrap_or(0.0)];
                (
                    p["code"].as_str().unwrap_or("").to_string(),
                    p["name"].as_str().unwrap_or("").to_string(),
                    rings(&f["geometry"]),
                    cp,
                )
            })
            .collect();
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for (_, _, rs, _) in &all {
            for p in rs.iter().flatten() {
                for k in 0..2 {
                    lo[k] = lo[k].min(p[k]);
                    hi[k] = hi[k].max(p[k]);
                }
            }
        }
        let mid = ((lo[1] + hi[1]) / 2.0).to_radians().cos();
        let scale = WIDTH / ((hi[0] - lo[0]) * mid).max(1e-9);
        let height = ((hi[1] - lo[1]) * scale).ceil();
        let project = |p: [f64; 2]| -> (i32, i32) {
            (((p[0] - lo[0]) * mid * scale).round() as i32, ((hi[1] - p[1]) * scale).round() as i32)
        };
        let shapes = all
            .into_iter()
            .map(|(code, name, rs, cp)| {
                let mut path = String::new();
                for r in rs {
                    let mut last: Option<(i32, i32)> = None;
                    for p in r {
                        let q = project(p);
                        if last == Some(q) {
                            continue;
                        }
                        path.push_str(if last.is_none() { "M" } else { "L" });
                        path.push_str(&format!("{} {}", q.0, q.1));
                        last = Some(q);
                    }
                    path.push('Z');
                }
                let (x, y) = project(cp);
                Shape { code, name, path, x, y }
            })
            .collect();
        (shapes, height)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_district_has_an_outline_inside_the_map() {
        let (shapes, height) = super::shapes();
        assert_eq!(shapes.len(), 38);
        assert!(*height > 100.0);
        for s in shapes {
            assert!(s.path.starts_with('M') && s.path.ends_with('Z'), "{}", s.name);
            assert!((0..=super::WIDTH as i32).contains(&s.x) && (0..=*height as i32).contains(&s.y), "{}", s.name);
        }
        let total: usize = shapes.iter().map(|s| s.path.len()).sum();
        assert!(total < 200_000, "the map's paths are {total} bytes");
    }
}
