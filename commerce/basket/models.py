"""Oscar's basket models; a line names a variant with its product ("Wildflower honey — 340 g jar")."""

from oscar.apps.basket.abstract_models import AbstractLine
from oscar.core.loading import is_model_registered

from commerce.variants import product_line_title


def _option_value(value) -> str:
    return ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)


if not is_model_registered("basket", "Line"):

    class Line(AbstractLine):
        @property
        def description(self) -> str:
            # Oscar's reads str(product), which for a variant is its own title alone ("340 g jar").
            options = [f"{a.option.name} = '{_option_value(a.value)}'" for a in self.attributes.all()]
            title = product_line_title(self.product)
            return f"{title} ({', '.join(options)})" if options else title


from oscar.apps.basket.models import *  # noqa: E402, F403
