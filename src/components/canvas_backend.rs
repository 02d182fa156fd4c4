//! A plotters drawing backend over a `<canvas>`'s 2D context: lines, rectangles, paths,
//! polygons and circles, which is all the usage chart draws (its text is the canvas's own).
//!
//! In place of plotters-canvas, whose colours are `rgba(…)` strings made with float formatting:
//! that one `format!` brought the float-printing code into the first load's wasm.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, DrawingBackend, DrawingErrorKind,
};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The canvas refused an operation.
#[derive(Debug)]
pub struct CanvasError;

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the canvas refused to draw")
    }
}

impl std::error::Error for CanvasError {}

/// Draws on one canvas.
pub struct CanvasBackend {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

impl CanvasBackend {
    /// A backend for `canvas` and its 2D context.
    pub fn new(canvas: HtmlCanvasElement, ctx: CanvasRenderingContext2d) -> Self {
        Self { canvas, ctx }
    }

    /// Sets `color` for what follows; false when it is fully transparent (nothing to draw).
    fn paint(&self, color: BackendColor, fill: bool) -> bool {
        if color.alpha <= 0.0 {
            return false;
        }
        let (r, g, b) = color.rgb;
        let css = format!("#{r:02x}{g:02x}{b:02x}");
        if fill {
            self.ctx.set_fill_style_str(&css);
        } else {
            self.ctx.set_stroke_style_str(&css);
        }
        self.ctx.set_global_alpha(color.alpha.min(1.0));
        true
    }

    /// Begins a path through `points`; false when there were none.
    fn trace(&self, points: impl IntoIterator<Item = BackendCoord>) -> bool {
        self.ctx.begin_path();
        let mut points = points.into_iter();
        let Some(first) = points.next() else {
            return false;
        };
        self.ctx.move_to(f64::from(first.0), f64::from(first.1));
        for p in points {
            self.ctx.line_to(f64::from(p.0), f64::from(p.1));
        }
        true
    }

    fn stroke_with(&self, style: &impl BackendStyle) -> bool {
        self.ctx.set_line_width(f64::from(style.stroke_width()));
        self.paint(style.color(), false)
    }
}

// Horizontal and vertical lines sit on pixel centres, so a 1 px line is one crisp pixel wide.
fn crisp(from: BackendCoord, to: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let (mut a, mut b) = (
        (f64::from(from.0), f64::from(from.1)),
        (f64::from(to.0), f64::from(to.1)),
    );
    if from.0 == to.0 {
        a.0 += 0.5;
        b.0 += 0.5;
    }
    if from.1 == to.1 {
        a.1 += 0.5;
        b.1 += 0.5;
    }
    (a, b)
}

impl DrawingBackend for CanvasBackend {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        (self.canvas.width(), self.canvas.height())
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.ctx.set_global_alpha(1.0);
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if self.paint(color, true) {
            self.ctx
                .fill_rect(f64::from(point.0), f64::from(point.1), 1.0, 1.0);
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if self.stroke_with(style) {
            let (a, b) = crisp(from, to);
            self.ctx.begin_path();
            self.ctx.move_to(a.0, a.1);
            self.ctx.line_to(b.0, b.1);
            self.ctx.stroke();
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let (w, h) = (
            f64::from(bottom_right.0 - upper_left.0),
            f64::from(bottom_right.1 - upper_left.1),
        );
        if fill {
            if self.paint(style.color(), true) {
                self.ctx.fill_rect(x, y, w, h);
            }
        } else if self.stroke_with(style) {
            self.ctx.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if !self.stroke_with(style) {
            return Ok(());
        }
        self.trace(path);
        self.ctx.stroke();
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if !self.paint(style.color(), true) {
            return Ok(());
        }
        if self.trace(vert) {
            self.ctx.close_path();
        }
        self.ctx.fill();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let drawn = if fill {
            self.paint(style.color(), true)
        } else {
            self.stroke_with(style)
        };
        if drawn {
            self.ctx.begin_path();
            let _ = self.ctx.arc(
                f64::from(center.0),
                f64::from(center.1),
                f64::from(radius),
                0.0,
                std::f64::consts::TAU,
            );
            if fill {
                self.ctx.fill();
            } else {
                self.ctx.stroke();
            }
        }
        Ok(())
    }
}
