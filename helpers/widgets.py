"""Interactive exploration with ipywidgets: move the filters, see the search react.

- ``SceneExplorer``: location, dates, maximum cloud cover and collection drive the same
  pystac-client search the notebook teaches; it shows the code it ran, the matched count, the
  items, and for the selected one its thumbnail, footprint and cloud cover.
- ``ClipPreview``: choose a scene and a box in the raster's CRS; see the true colour clip and
  its NDVI side by side, with the code that makes them.

Sliders and number boxes update when released or confirmed (``continuous_update=False``), so a
search runs once per change, not once per pixel of slider travel. Errors appear inside the
widget, explained as ``helpers.friendly`` explains them.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from typing import Any

import ipywidgets as widgets
import requests
import rioxarray
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from pystac_client import Client
from shapely.geometry import Point, shape

from .checks import LessonInputError
from .friendly import explain
from .places import AMSTERDAM, CLIP_BOX_UTM
from .reflectance import scale_and_offset

PRESETS = {"Amsterdam": AMSTERDAM, "Utrecht": (5.12, 52.09)}
MAX_LISTED = 50
#: Wide enough, after the label, for a whole scene line: date, cloud cover and an item id such
#: as ``S2B_31UFU_20210818_1_L2A`` (tests/test_widgets_browser.py measures it in JupyterLab).
ID_WIDTH = "38em"


class Panel(widgets.VBox):
    """A VBox that also says in words what it is, for places that cannot run widgets.

    A static page (the lesson's web site, nbviewer) shows the ``text/html`` of the output; in
    JupyterLab the widget itself is shown.
    """

    def __init__(self, children: list[widgets.Widget], static_text: str) -> None:
        super().__init__(children)
        self.static_text = static_text

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = f"<p><em>{html.escape(self.static_text)}</em></p>"
        return bundle


def readable_utm_axes(ax: Axes) -> None:
    """Four whole-metre ticks per axis, no ``1e6`` offset: coordinates people can read."""
    ax.locator_params(nbins=4)
    ax.ticklabel_format(style="plain", useOffset=False)


def check_lon_lat(lon: float, lat: float) -> None:
    """Refuse coordinates that cannot be a place on Earth, saying which one is wrong."""
    if not -90 <= lat <= 90:
        raise LessonInputError(
            f"Latitude {lat} is outside -90..90. Latitude is the second number (Amsterdam: "
            f"{AMSTERDAM[1]}); did you swap longitude and latitude?"
        )
    if not -180 <= lon <= 180:
        raise LessonInputError(f"Longitude {lon} is outside -180..180.")


def _error_html(error: BaseException) -> str:
    message = explain(error) or f"{type(error).__name__}: {error}"
    return f'<span style="color:#b00020">{message}</span>'


class SceneExplorer:
    """A search form for a STAC API, built on the search the lesson teaches."""

    def __init__(
        self,
        client: Client,
        collection: str = "sentinel-2-l2a",
        start: dt.date = dt.date(2021, 1, 1),
        end: dt.date = dt.date(2021, 12, 31),
        max_cloud: int = 5,
    ) -> None:
        self.client = client
        self.search: Any = None
        self.items: list[Any] = []
        collections = sorted(c.id for c in client.get_collections())
        self.location = widgets.Dropdown(
            options=[*PRESETS, "Custom"], value="Amsterdam", description="Place"
        )
        self.lon = widgets.FloatText(value=PRESETS["Amsterdam"][0], description="Longitude")
        self.lat = widgets.FloatText(value=PRESETS["Amsterdam"][1], description="Latitude")
        self.start = widgets.DatePicker(value=start, description="From")
        self.end = widgets.DatePicker(value=end, description="To")
        self.max_cloud = widgets.IntSlider(
            value=max_cloud,
            min=0,
            max=100,
            step=1,
            description="Max cloud %",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.collection = widgets.Dropdown(
            options=collections, value=collection, description="Collection"
        )
        self.count = widgets.HTML()
        self.error = widgets.HTML()
        self.code = widgets.HTML()
        self.results = widgets.Select(
            options=[],
            rows=8,
            description="Scenes",
            layout=widgets.Layout(width=ID_WIDTH, min_width=ID_WIDTH),
        )
        self.details = widgets.HTML()
        self.thumbnail = widgets.Image(format="jpeg", width=256, height=256)
        self.footprint = widgets.Image(format="png")
        self.selected = widgets.VBox(
            [self.details, self.thumbnail], layout=widgets.Layout(min_width="24em")
        )
        for control in (self.lon, self.lat, self.start, self.end, self.max_cloud, self.collection):
            control.observe(self._changed, names="value")
        self.location.observe(self._preset, names="value")
        self.results.observe(self._selected, names="value")
        self.widget = Panel(
            [
                widgets.HBox([self.location, self.lon, self.lat]),
                widgets.HBox([self.start, self.end]),
                widgets.HBox([self.max_cloud, self.collection]),
                self.error,
                self.count,
                self.code,
                # Wraps on narrow screens instead of squeezing the details until they are cut.
                widgets.HBox(
                    [self.results, self.selected, self.footprint],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ],
            static_text="Interactive scene explorer: place, dates, maximum cloud cover and "
            "collection drive a pystac-client search; it lists the scenes found and shows the "
            "selected one's thumbnail, footprint and cloud cover. Run the notebook in JupyterLab "
            "to use it.",
        )
        self.run()

    def _preset(self, change: dict) -> None:
        if change["new"] in PRESETS:
            lon, lat = PRESETS[change["new"]]
            with self.lat.hold_trait_notifications(), self.lon.hold_trait_notifications():
                self.lon.value, self.lat.value = lon, lat

    def _changed(self, change: dict) -> None:
        if change["owner"] in (self.lon, self.lat):
            matching = [
                name for name, xy in PRESETS.items() if xy == (self.lon.value, self.lat.value)
            ]
            self.location.unobserve(self._preset, names="value")
            self.location.value = matching[0] if matching else "Custom"
            self.location.observe(self._preset, names="value")
        self.run()

    def parameters(self) -> dict[str, Any]:
        """The search parameters the controls describe (checked)."""
        check_lon_lat(self.lon.value, self.lat.value)
        if self.start.value is None or self.end.value is None:
            raise LessonInputError("Choose both dates (From and To).")
        if self.start.value > self.end.value:
            raise LessonInputError(
                f"From ({self.start.value}) is after To ({self.end.value}): swap the dates."
            )
        return {
            "collections": [self.collection.value],
            "intersects": Point(self.lon.value, self.lat.value),
            "datetime": f"{self.start.value:%Y-%m-%d}/{self.end.value:%Y-%m-%d}",
            "query": {"eo:cloud_cover": {"lt": self.max_cloud.value}},
        }

    def code_text(self) -> str:
        return (
            "search = client.search(\n"
            f'    collections=["{self.collection.value}"],\n'
            f"    intersects=Point({self.lon.value}, {self.lat.value}),\n"
            f'    datetime="{self.start.value:%Y-%m-%d}/{self.end.value:%Y-%m-%d}",\n'
            f'    query={{"eo:cloud_cover": {{"lt": {self.max_cloud.value}}}}},\n'
            ")\nsearch.matched()"
        )

    def run(self) -> None:
        """Search with the current controls and show the results (or the error)."""
        try:
            search = self.client.search(**self.parameters(), max_items=MAX_LISTED)
            matched = search.matched()
            items = list(search.items())
        except Exception as error:  # shown in the widget: the learner sees what to fix
            self.error.value = _error_html(error)
            self.count.value, self.results.options = "", []
            return
        self.error.value = ""
        self.search, self.items = search, items
        self.code.value = f"<pre>{self.code_text()}</pre>"
        self.count.value = f"<b>{matched}</b> scenes match" + (
            f" (first {MAX_LISTED} listed)" if (matched or 0) > MAX_LISTED else ""
        )
        self.results.options = [
            (
                f"{item.datetime:%Y-%m-%d}  {item.properties['eo:cloud_cover']:5.1f} %  {item.id}",
                item.id,
            )
            for item in items
        ]
        self.results.value = items[0].id if items else None
        if not items:
            self.details.value, self.thumbnail.value, self.footprint.value = "", b"", b""

    def _selected(self, change: dict) -> None:
        item = next((item for item in self.items if item.id == change["new"]), None)
        if item is None:
            return
        self.details.value = (
            f"<b>{item.id}</b><br>{item.datetime:%Y-%m-%d %H:%M} UTC<br>"
            f"cloud cover {item.properties['eo:cloud_cover']:.1f} %"
        )
        try:
            response = requests.get(item.assets["thumbnail"].href, timeout=(5, 30))
            response.raise_for_status()
            self.thumbnail.value = response.content
        except Exception as error:  # a missing thumbnail must not break the explorer
            self.thumbnail.value = b""
            self.error.value = _error_html(error)
        self._draw_footprint(item)

    def _draw_footprint(self, item: Any) -> None:
        figure = Figure(figsize=(3.5, 3.5))
        ax = figure.subplots()
        ax.plot(*shape(item.geometry).exterior.xy, color="tab:blue", label="footprint")
        ax.plot(self.lon.value, self.lat.value, "k*", markersize=12, label="search point")
        ax.set_title("Footprint", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
        self.footprint.value = _png(figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


class ClipPreview:
    """True colour and NDVI of a box of one scene, with the code that makes them."""

    def __init__(self, items: list[Any], box: tuple[int, int, int, int] = CLIP_BOX_UTM) -> None:
        # Only scenes whose image holds the whole box, whatever their order (a search around
        # Amsterdam also finds scenes of tile 31UFT, which hold only a strip of it).
        items = [item for item in items if "red" in item.assets]  # JP2-only: earth-search#79
        bounds = {item.id: self._bounds(item) for item in items}
        covering = [item for item in items if self._holds(bounds[item.id], box)]
        if not covering:
            raise LessonInputError(
                f"None of the {len(items)} scenes holds the whole box {box} (EPSG:32631 metres): "
                "pass scenes of tile 31UFU, e.g. those whose grid:code is 'MGRS-31UFU'."
            )
        self.items = {item.id: item for item in covering}
        shared = [bounds[item.id] for item in covering]
        west, south = max(b[0] for b in shared), max(b[1] for b in shared)
        east, north = min(b[2] for b in shared), min(b[3] for b in shared)
        self.scene = widgets.Dropdown(
            options=list(self.items), description="Scene", layout=widgets.Layout(width=ID_WIDTH)
        )
        # Six- and seven-digit metres do not fit a slider's own readout: the extent is shown
        # in full next to the sliders instead.
        slider = {"step": 500, "continuous_update": False, "readout": False,
                  "layout": widgets.Layout(width=ID_WIDTH)}  # fmt: skip
        self.x = widgets.IntRangeSlider(
            value=(box[0], box[2]), min=west, max=east, description="x (m)", **slider
        )
        self.y = widgets.IntRangeSlider(
            value=(box[1], box[3]), min=south, max=north, description="y (m)", **slider
        )
        self.extent = widgets.HTML()
        self.error = widgets.HTML()
        self.code = widgets.HTML()
        self.output = widgets.Image(format="png")
        for control in (self.scene, self.x, self.y):
            control.observe(lambda change: self.run(), names="value")
        self.widget = Panel(
            [self.scene, self.x, self.y, self.extent, self.error, self.code, self.output],
            static_text="Interactive clip preview: choose a scene and a box in metres with two "
            "sliders; it shows the true colour clip and its NDVI side by side, with the code "
            "that makes them. Run the notebook in JupyterLab to use it.",
        )
        self.last_shape: tuple[int, ...] | None = None
        self.run()

    @staticmethod
    def _holds(bounds: tuple[int, int, int, int], box: tuple[int, int, int, int]) -> bool:
        west, south, east, north = bounds
        return west <= box[0] and south <= box[1] and box[2] <= east and box[3] <= north

    @staticmethod
    def _bounds(item: Any) -> tuple[int, int, int, int]:
        transform = item.assets["red"].extra_fields["proj:transform"]
        rows, cols = item.assets["red"].extra_fields["proj:shape"]
        west, north = transform[2], transform[5]
        return (
            int(west),
            int(north + rows * transform[4]),
            int(west + cols * transform[0]),
            int(north),
        )

    def box(self) -> dict[str, int]:
        return {
            "minx": self.x.value[0],
            "miny": self.y.value[0],
            "maxx": self.x.value[1],
            "maxy": self.y.value[1],
        }

    def code_text(self) -> str:
        """The code that makes the same pictures in episode 5 (it uses read_clip there)."""
        return (
            f"box_utm = {self.box()}\n"
            f'item = next(scene for scene in items if scene.id == "{self.scene.value}")\n'
            'visual_clip = rioxarray.open_rasterio(item.assets["visual"].href)'
            ".rio.clip_box(**box_utm)\n"
            'red = to_reflectance(read_clip(item.assets["red"]), item, "red")\n'
            'nir = to_reflectance(read_clip(item.assets["nir"]), item, "nir")\n'
            "ndvi = (nir - red) / (nir + red)"
        )

    def extent_text(self) -> str:
        (west, east), (south, north) = self.x.value, self.y.value
        return (
            f"x {west:,} to {east:,} m, y {south:,} to {north:,} m: "
            f"{(east - west) / 1000:g} by {(north - south) / 1000:g} km"
        )

    def run(self) -> None:
        item = self.items[self.scene.value]
        box = self.box()
        self.extent.value = self.extent_text()
        try:
            visual: Any = rioxarray.open_rasterio(item.assets["visual"].href)
            visual = visual.rio.clip_box(**box)
            bands = {}
            for key in ("red", "nir"):
                scale, offset = scale_and_offset(item, key)
                data: Any = rioxarray.open_rasterio(item.assets[key].href, masked=True)
                bands[key] = data.rio.clip_box(**box).squeeze() * scale + offset
            ndvi = (bands["nir"] - bands["red"]) / (bands["nir"] + bands["red"])
        except Exception as error:  # shown in the widget
            self.error.value = _error_html(error)
            return
        self.error.value = ""
        self.code.value = f"<pre>{self.code_text()}</pre>"
        self.last_shape = tuple(visual.shape)
        figure = Figure(figsize=(10, 4.8), layout="constrained")
        left, right = figure.subplots(1, 2)
        visual.plot.imshow(ax=left)
        ndvi.plot.imshow(ax=right, cmap="RdYlGn", vmin=-1, vmax=1)
        for ax, title in ((left, "True colour"), (right, "NDVI")):
            readable_utm_axes(ax)
            ax.set_title(title)
        figure.suptitle(f"{item.id}, {item.datetime:%d %B %Y}")
        self.output.value = _png(figure)
